import { isIP } from 'node:net'
import type { DnsAnswer } from './dns-answer.js'

/**
 * SPF records (RFC 7208) parsed, and a domain's policy evaluated the way a receiver would
 * before looking at any message: follow `include:` and `redirect=`, count the terms that
 * cost DNS lookups, find the final `all`. Pure: the TXT answers come in through `lookup`.
 */
export type SpfQualifier = '+' | '-' | '~' | '?'

export type SpfTerm =
  | { kind: 'mechanism'; qualifier: SpfQualifier; name: SpfMechanismName; value: string | null; text: string }
  | { kind: 'modifier'; name: string; value: string; text: string }

const mechanismNames = ['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'] as const
export type SpfMechanismName = (typeof mechanismNames)[number]

/** Mechanisms and modifiers that make the receiver query DNS (RFC 7208 §4.6.4). */
const lookupTerms = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect'])

/** RFC 7208 §4.6.4: more than 10 lookup terms over the whole evaluation is a permerror. */
export const spfLookupLimit = 10

export interface SpfRecord {
  terms: SpfTerm[]
  errors: string[]
}

/** `v=spf1` followed by a space or the end, case-insensitive (RFC 7208 §4.5). */
export function isSpfRecord(text: string): boolean {
  return /^v=spf1( |$)/i.test(text)
}

export function parseSpfRecord(text: string): SpfRecord {
  const errors: string[] = []
  const terms: SpfTerm[] = []
  if (!isSpfRecord(text)) return { terms, errors: [`does not start with "v=spf1 "`] }
  for (const word of text.slice(6).split(' ').filter(Boolean)) {
    const term = parseTerm(word)
    if ('error' in term) errors.push(term.error)
    else terms.push(term)
  }
  for (const name of ['redirect', 'exp']) {
    if (terms.filter((t) => t.kind === 'modifier' && t.name === name).length > 1) errors.push(`${name}= appears more than once (RFC 7208 §6)`)
  }
  return { terms, errors }
}

const modifierPattern = /^([A-Za-z][A-Za-z0-9._-]*)=(.*)$/
const mechanismPattern = /^([+\-~?]?)([A-Za-z0-9]+)(?:([:/])(.*))?$/

function parseTerm(word: string): SpfTerm | { error: string } {
  const modifier = modifierPattern.exec(word)
  if (modifier) {
    const name = modifier[1]!.toLowerCase()
    const value = modifier[2]!
    if ((name === 'redirect' || name === 'exp') && !isDomainSpec(value)) return { error: `${word}: "${value}" is not a domain` }
    return { kind: 'modifier', name, value, text: word }
  }
  const match = mechanismPattern.exec(word)
  const name = match?.[2]?.toLowerCase()
  if (!match || !name || !(mechanismNames as readonly string[]).includes(name)) return { error: `unknown term "${word}" (RFC 7208 §4.6.1)` }
  const qualifier = (match[1] || '+') as SpfQualifier
  const separator = match[3]
  const rest = match[4] ?? null
  const mechanism = name as SpfMechanismName
  const term = (value: string | null): SpfTerm => ({ kind: 'mechanism', qualifier, name: mechanism, value, text: word })
  const bad = (why: string) => ({ error: `${word}: ${why}` })
  switch (mechanism) {
    case 'all':
      return separator ? bad('"all" takes no argument') : term(null)
    case 'include':
    case 'exists':
      if (separator !== ':' || !rest) return bad(`"${mechanism}" needs ":domain"`)
      return isDomainSpec(rest) ? term(rest) : bad(`"${rest}" is not a domain`)
    case 'a':
    case 'mx': {
      if (!separator) return term(null)
      const [domain, cidr] = separator === '/' ? ['', `/${rest}`] : splitCidr(rest ?? '')
      if (separator === ':' && !domain) return bad('empty domain')
      if (domain && !isDomainSpec(domain)) return bad(`"${domain}" is not a domain`)
      if (cidr && !/^\/\d{1,2}(\/\/\d{1,3})?$|^\/\/\d{1,3}$/.test(cidr)) return bad(`bad prefix length "${cidr}"`)
      return term(domain || null)
    }
    case 'ptr':
      if (separator === '/') return bad('"ptr" takes no prefix length')
      if (separator === ':' && (!rest || !isDomainSpec(rest))) return bad(`"${rest ?? ''}" is not a domain`)
      return term(rest)
    case 'ip4':
    case 'ip6': {
      if (separator !== ':' || !rest) return bad(`"${mechanism}" needs ":address"`)
      const slash = rest.indexOf('/')
      const address = slash < 0 ? rest : rest.slice(0, slash)
      const prefix = slash < 0 ? null : rest.slice(slash + 1)
      const family = mechanism === 'ip4' ? 4 : 6
      if (isIP(address) !== family) return bad(`"${address}" is not an IPv${family} address`)
      if (prefix !== null && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128))) return bad(`bad prefix length "/${prefix}"`)
      return term(rest)
    }
  }
}

/** `domain/24//64` → [`domain`, `/24//64`]. */
function splitCidr(text: string): [string, string] {
  const slash = text.indexOf('/')
  return slash < 0 ? [text, ''] : [text.slice(0, slash), text.slice(slash)]
}

/** A domain-spec (RFC 7208 §7.1): a name, possibly with macros (`%{d}`). */
function isDomainSpec(text: string): boolean {
  return /^[A-Za-z0-9_.%{}\-+=,/]+$/.test(text) && !text.startsWith('.') && !/\.\./.test(text)
}

function hasMacro(text: string): boolean {
  return text.includes('%')
}

/** The TXT answer for a name, or undefined when it has not been looked up yet. */
export type TxtLookup = (name: string) => DnsAnswer<string> | undefined

export interface SpfAnalysis {
  records: string[]
  errors: string[]
  warnings: string[]
  all: string | null
  allFrom: string | null
  lookups: number
  includes: string[]
  /** A DNS failure that stops evaluation (RFC 7208 temperror): the check could not be done. */
  temporaryError: string | null
  /** Names whose TXT records are needed and not yet known: look them up and analyse again. */
  needed: string[]
}

/** RFC 7208 §4.6.4 bounds the work; past this many distinct names, stop following. */
const maxNames = 40

/**
 * Evaluates `domain`'s SPF policy over the TXT answers known so far. When `needed` is not
 * empty, the caller looks those names up and calls again; the result is final once it is.
 */
export function analyzeSpf(domain: string, lookup: TxtLookup): SpfAnalysis {
  const result: SpfAnalysis = { records: [], errors: [], warnings: [], all: null, allFrom: null, lookups: 0, includes: [], temporaryError: null, needed: [] }
  const needed = new Set<string>()
  const visited = new Set<string>()

  const root = spfRecordsAt(domain, lookup)
  if (root === undefined) return { ...result, needed: [domain] }
  if ('error' in root) return { ...result, temporaryError: root.error }
  result.records = root.records
  if (root.records.length === 0) return result
  if (root.records.length > 1) result.errors.push(`${root.records.length} SPF records at ${domain}: receivers must fail them all (RFC 7208 §4.5, permerror)`)

  /** Walks one record; returns its effective `all` ("-all"…) or null. `path` detects loops. */
  const walk = (name: string, record: string, path: string[], followRedirect: boolean): { all: string | null; from: string | null } => {
    visited.add(name)
    const parsed = parseSpfRecord(record)
    for (const error of parsed.errors) result.errors.push(name === domain ? error : `${name}: ${error}`)
    const allIndex = parsed.terms.findIndex((t) => t.kind === 'mechanism' && t.name === 'all')
    const all = allIndex >= 0 ? (parsed.terms[allIndex] as Extract<SpfTerm, { kind: 'mechanism' }>) : null
    const effective = allIndex >= 0 ? parsed.terms.slice(0, allIndex + 1) : parsed.terms
    const ignored = allIndex >= 0 ? parsed.terms.slice(allIndex + 1).filter((t) => t.kind === 'mechanism') : []
    if (ignored.length > 0) result.warnings.push(`${name}: terms after "all" are never evaluated: ${ignored.map((t) => t.text).join(' ')} (RFC 7208 §5.1)`)
    let redirect: string | null = null
    for (const term of parsed.terms) {
      if (term.kind !== 'modifier' || term.name !== 'redirect') continue
      // RFC 7208 §6.1: redirect is ignored when the record has an "all" mechanism anywhere.
      if (all) result.warnings.push(`${name}: redirect=${term.value} is ignored because the record has "all" (RFC 7208 §6.1)`)
      else {
        result.lookups++
        redirect = term.value
      }
    }
    for (const term of effective) {
      if (term.kind === 'modifier') continue
      if (lookupTerms.has(term.name)) result.lookups++
      if (term.name === 'ptr') result.warnings.push(`${name}: "${term.text}" — ptr should not be used (RFC 7208 §5.5)`)
      if (term.name === 'include' && term.value) follow(name, term.value, 'include', path)
    }
    if (all) return { all: `${all.qualifier}all`, from: name }
    if (redirect && followRedirect) {
      const target = follow(name, redirect, 'redirect', path)
      return target ?? { all: null, from: null }
    }
    return { all: null, from: null }
  }

  /** Follows include:/redirect= to `target`; returns the target's effective all for redirect. */
  const follow = (from: string, target: string, how: 'include' | 'redirect', path: string[]): { all: string | null; from: string | null } | null => {
    const label = `${how === 'include' ? 'include:' : 'redirect='}${target} (from ${from})`
    if (hasMacro(target)) {
      result.warnings.push(`${label}: uses macros, not followed (it depends on each message)`)
      return null
    }
    const name = target.toLowerCase().replace(/\.$/, '')
    result.includes.push(name)
    if (path.includes(name)) {
      result.errors.push(`lookup loop: ${[...path, name].join(' → ')} (RFC 7208 §4.6.4: evaluation exceeds the lookup limit)`)
      return null
    }
    if (visited.size >= maxNames) return null
    const records = spfRecordsAt(name, lookup)
    if (records === undefined) {
      needed.add(name)
      return null
    }
    if ('error' in records) {
      result.temporaryError ??= `${label}: ${records.error}`
      return null
    }
    if (records.records.length !== 1) {
      const why = records.records.length === 0 ? (records.nxdomain ? 'the domain does not exist' : 'no SPF record there') : `${records.records.length} SPF records there`
      result.errors.push(`${label}: ${why} (RFC 7208 §5.2/§6.1, permerror)`)
      return null
    }
    return walk(name, records.records[0]!, [...path, name], how === 'redirect')
  }

  const effective = walk(domain, root.records[0]!, [domain.toLowerCase().replace(/\.$/, '')], true)
  result.all = effective.all
  result.allFrom = effective.from
  if (result.lookups > spfLookupLimit) {
    result.errors.push(`${result.lookups} DNS-querying terms (include, a, mx, ptr, exists, redirect) over the whole tree, more than ${spfLookupLimit} (RFC 7208 §4.6.4, permerror)`)
  }
  result.needed = [...needed]
  return result
}

function spfRecordsAt(name: string, lookup: TxtLookup): { records: string[]; nxdomain: boolean } | { error: string } | undefined {
  const answer = lookup(name.toLowerCase().replace(/\.$/, ''))
  if (answer === undefined) return undefined
  if (!answer.ok) return { error: `TXT ${name}: ${answer.reason}` }
  return { records: answer.records.filter(isSpfRecord), nxdomain: answer.rcode === 'NXDOMAIN' }
}
