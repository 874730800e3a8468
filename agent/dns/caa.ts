import type { CaaRecord } from './dns-answer.js'

/**
 * CAA record sets (RFC 8659): which CAs the domain names, and what would stop all of them.
 * `issue` and `issuewild` values are `[issuer-domain] *(";" parameter)`; an empty issuer
 * (`issue ";"`) means no CA may issue (§4.2).
 */
export interface CaaAnalysis {
  /** CA domains from issue/issuewild, lower-case, in order, without duplicates. */
  issuers: string[]
  /** Tags marked critical that CAs do not know (§4.1: they must then refuse to issue). */
  unknownCriticalTags: string[]
  errors: string[]
}

/** Property tags defined by RFC 8659 §4.2–4.4 and RFC 8657 / IANA's CAA registry. */
const knownTags = new Set(['issue', 'issuewild', 'iodef', 'contactemail', 'contactphone', 'issuevmc', 'issuemail'])

export function analyzeCaa(records: readonly CaaRecord[]): CaaAnalysis {
  const issuers: string[] = []
  const unknownCriticalTags: string[] = []
  const errors: string[] = []
  for (const record of records) {
    const tag = record.tag.toLowerCase()
    if (record.critical && !knownTags.has(tag)) unknownCriticalTags.push(tag)
    if (tag !== 'issue' && tag !== 'issuewild') continue
    const issuer = record.value.split(';')[0]!.trim().toLowerCase().replace(/\.$/, '')
    if (issuer !== '' && !/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]+$/.test(issuer)) {
      errors.push(`${tag} "${record.value}": "${issuer}" is not a domain name (RFC 8659 §4.2)`)
      continue
    }
    if (!issuers.includes(issuer)) issuers.push(issuer)
  }
  return { issuers, unknownCriticalTags, errors }
}

/** RFC 8659 §3: the names to try in order, from the domain up to its registrable parent. */
export function caaSearchNames(domain: string): string[] {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.')
  const names: string[] = []
  // Stop before the top-level domain: no TLD publishes CAA, and an authoritative server
  // for the zone would refuse the question.
  for (let i = 0; i < labels.length - 1; i++) names.push(labels.slice(i).join('.'))
  return names.length > 0 ? names : [labels.join('.')]
}
