import { createHash } from 'node:crypto'
import type { DnsFacts } from '../../../rules/facts/dns.js'
import type { Facts } from '../../../rules/facts/facts.js'
import type { NodeIdentity } from '../../../rules/report.js'

/**
 * A domain checked by `posture domain` or the collector is reported like a node: its own
 * report, named for the domain rather than for the machine that checked it. These are the
 * pure pieces both share.
 */
export function domainIdentity(name: string): NodeIdentity {
  return { id: createHash('sha256').update(`posture-domain:${name}`).digest('hex').slice(0, 16), hostname: name, os: null, kernel: null, arch: null }
}

/** The part of a multi-domain check that concerns `name` (an MX host shared by several domains appears in each). */
export function factsForDomain(facts: DnsFacts, name: string): DnsFacts {
  const own = <T extends { domain: string }>(items: T[] | undefined): T[] => (items ?? []).filter((item) => item.domain === name)
  return {
    ...(facts.resolver !== undefined ? { resolver: facts.resolver } : {}),
    domains: [name],
    spf: own(facts.spf),
    dkim: own(facts.dkim),
    dmarc: own(facts.dmarc),
    mtaSts: own(facts.mtaSts),
    tlsRpt: own(facts.tlsRpt),
    mx: (facts.mx ?? []).filter((item) => item.domains.includes(name)),
    caa: own(facts.caa),
    securityTxt: own(facts.securityTxt),
  }
}

/**
 * The facts of a domain report. The report covers the dns and http domains (security.txt
 * is an http rule); the http facts of a domain are empty — it has no HTTPS site of its own
 * — so that the other http rules are `na` rather than errors, whenever the facts are
 * evaluated again (the collector re-scores stored facts when rules change).
 */
export function domainReportFacts(dns: DnsFacts): Facts {
  return { dns, http: { sites: [], redirects: [] } }
}
