import type { DkimFacts } from '../../../rules/facts/dns.js'
import { isDkimRecord, parseDkimRecord } from '../../dns/dkim.js'
import type { DnsLookup } from './dns-lookup.js'

/** DKIM keys of one domain: one item per configured selector, or one `selector: null` item. */
export async function checkDkim(dns: DnsLookup, domain: string, selectors: readonly string[]): Promise<DkimFacts[]> {
  if (selectors.length === 0) {
    return [{ target: domain, domain, selector: null, records: [], errors: [], keyType: null, keyBits: null, revoked: false, testing: false }]
  }
  return Promise.all(selectors.map((selector) => checkSelector(dns, domain, selector)))
}

async function checkSelector(dns: DnsLookup, domain: string, selector: string): Promise<DkimFacts> {
  const name = `${selector}._domainkey.${domain}`
  const facts: DkimFacts = { target: name, domain, selector, records: [], errors: [], keyType: null, keyBits: null, revoked: false, testing: false }
  const answer = await dns.lookup(name, 'TXT')
  if (!answer.ok) return { ...facts, error: `TXT ${name}: ${answer.reason}` }
  facts.records = answer.records.filter(isDkimRecord)
  if (facts.records.length === 0) return facts
  if (facts.records.length > 1) facts.errors.push(`${facts.records.length} key records at ${name}: verifiers pick one at random (RFC 6376 §3.6.2.2)`)
  const key = parseDkimRecord(facts.records[0]!)
  return { ...facts, errors: [...facts.errors, ...key.errors], keyType: key.keyType, keyBits: key.keyBits, revoked: key.revoked, testing: key.testing }
}
