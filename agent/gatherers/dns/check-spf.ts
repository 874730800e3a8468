import type { SpfFacts } from '../../../rules/facts/dns.js'
import type { DnsAnswer } from '../../dns/dns-answer.js'
import { analyzeSpf } from '../../dns/spf.js'
import type { DnsLookup } from './dns-lookup.js'

/** More rounds than this means the tree is deeper than any evaluation may go (10 lookups). */
const maxRounds = 12

/**
 * SPF of one domain: looks up the TXT records of the domain and of every include/redirect
 * target, round by round, until the pure analysis needs nothing more.
 */
export async function checkSpf(dns: DnsLookup, domain: string): Promise<SpfFacts> {
  const answers = new Map<string, DnsAnswer<string>>()
  let analysis = analyzeSpf(domain, (name) => answers.get(name))
  for (let round = 0; analysis.needed.length > 0 && round < maxRounds; round++) {
    const names = analysis.needed
    const fetched = await Promise.all(names.map((name) => dns.lookup(name, 'TXT')))
    names.forEach((name, i) => answers.set(name, fetched[i]!))
    analysis = analyzeSpf(domain, (name) => answers.get(name))
  }
  const facts: SpfFacts = {
    target: domain,
    domain,
    records: analysis.records,
    errors: analysis.errors,
    warnings: analysis.warnings,
    all: analysis.all,
    allFrom: analysis.allFrom,
    lookups: analysis.lookups,
    includes: analysis.includes,
  }
  if (analysis.temporaryError !== null) facts.error = analysis.temporaryError
  return facts
}
