import type { DmarcFacts } from '../../../rules/facts/dns.js'
import { isDmarcRecord, parseDmarcRecord } from '../../dns/dmarc.js'
import type { DnsLookup } from './dns-lookup.js'

/** DMARC of one domain, at `_dmarc.DOMAIN` (RFC 7489 §6.6.3). */
export async function checkDmarc(dns: DnsLookup, domain: string): Promise<DmarcFacts> {
  const name = `_dmarc.${domain}`
  const facts: DmarcFacts = { target: domain, domain, records: [], errors: [], policy: null, subdomainPolicy: null, pct: null, rua: [], ruf: [] }
  const answer = await dns.lookup(name, 'TXT')
  if (!answer.ok) return { ...facts, error: `TXT ${name}: ${answer.reason}` }
  facts.records = answer.records.filter(isDmarcRecord)
  if (facts.records.length === 0) return facts
  const record = parseDmarcRecord(facts.records[0]!)
  const errors = [...record.errors]
  // RFC 7489 §6.6.3: more than one record and receivers apply no DMARC policy at all.
  if (facts.records.length > 1) errors.unshift(`${facts.records.length} DMARC records at ${name}: receivers then apply none (RFC 7489 §6.6.3)`)
  return { ...facts, errors, policy: record.policy, subdomainPolicy: record.subdomainPolicy, pct: record.pct, rua: record.rua, ruf: record.ruf }
}
