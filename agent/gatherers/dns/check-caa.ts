import type { CaaFacts } from '../../../rules/facts/dns.js'
import { analyzeCaa, caaSearchNames } from '../../dns/caa.js'
import type { DnsLookup } from './dns-lookup.js'

/**
 * The relevant CAA record set of a domain (RFC 8659 §3): the records at the domain, or
 * else at the closest parent that has any. A lookup failure stops the climb: a CA would
 * then refuse to issue, and nothing can be said.
 */
export async function checkCaa(dns: DnsLookup, domain: string, allowedCas: readonly string[]): Promise<CaaFacts> {
  const facts: CaaFacts = { target: domain, domain, records: [], foundAt: null, issuers: [], allowedCas: [...allowedCas], unknownCriticalTags: [], errors: [] }
  for (const name of caaSearchNames(domain)) {
    const answer = await dns.lookup(name, 'CAA')
    if (!answer.ok) return { ...facts, error: `CAA ${name}: ${answer.reason}` }
    if (answer.records.length === 0) continue
    const analysis = analyzeCaa(answer.records)
    return { ...facts, records: answer.records, foundAt: name, issuers: analysis.issuers, unknownCriticalTags: analysis.unknownCriticalTags, errors: analysis.errors }
  }
  return facts
}
