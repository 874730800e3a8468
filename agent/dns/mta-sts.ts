import { parseTagList, tagValue } from './tag-list.js'

/**
 * MTA-STS (RFC 8461): the `_mta-sts` TXT record that announces a policy (§3.1), the
 * policy file served at `https://mta-sts.DOMAIN/.well-known/mta-sts.txt` (§3.2), and how
 * its `mx:` patterns match MX host names (§4.1).
 */
export interface MtaStsRecord {
  id: string | null
  errors: string[]
}

/** RFC 8461 §3.1: records not beginning with `v=STSv1;` are discarded. */
export function isMtaStsRecord(text: string): boolean {
  return /^v=STSv1;/.test(text) || text === 'v=STSv1'
}

export function parseMtaStsRecord(text: string): MtaStsRecord {
  const list = parseTagList(text)
  const errors = [...list.errors]
  if (list.tags[0]?.[0] !== 'v' || list.tags[0][1] !== 'STSv1') errors.push('must start with v=STSv1;')
  const id = tagValue(list, 'id') ?? null
  if (id === null) errors.push('no id= (it tells senders when the policy changed)')
  else if (!/^[A-Za-z0-9]{1,32}$/.test(id)) errors.push(`id=${id}: must be 1 to 32 letters and digits`)
  return { id: id !== null && /^[A-Za-z0-9]{1,32}$/.test(id) ? id : null, errors }
}

export interface MtaStsPolicy {
  version: string | null
  /** enforce, testing, none; null when missing or invalid. */
  mode: string | null
  mx: string[]
  maxAgeSeconds: number | null
  errors: string[]
}

/** RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year). */
export const mtaStsMaxAgeLimit = 31_557_600

/** The policy file: `key: value` lines (CRLF or LF), unknown keys ignored. */
export function parseMtaStsPolicy(text: string): MtaStsPolicy {
  const errors: string[] = []
  const values = new Map<string, string[]>()
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '') continue
    const colon = line.indexOf(':')
    if (colon < 0) {
      errors.push(`line ${index + 1}: "${line.slice(0, 60)}" is not "key: value"`)
      continue
    }
    const key = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    values.set(key, [...(values.get(key) ?? []), value])
  }
  const single = (key: string): string | null => {
    const found = values.get(key) ?? []
    if (found.length > 1) errors.push(`${key} appears ${found.length} times`)
    return found[0] ?? null
  }
  const version = single('version')
  if (version !== 'STSv1') errors.push(version === null ? 'no "version: STSv1"' : `version: ${version} is not STSv1`)
  const modeText = single('mode')
  const mode = modeText !== null && ['enforce', 'testing', 'none'].includes(modeText) ? modeText : null
  if (mode === null) errors.push(modeText === null ? 'no mode' : `mode: ${modeText} is not enforce, testing or none`)
  const maxAgeText = single('max_age')
  let maxAgeSeconds: number | null = null
  if (maxAgeText === null) errors.push('no max_age')
  else if (!/^\d{1,10}$/.test(maxAgeText) || Number(maxAgeText) > mtaStsMaxAgeLimit) errors.push(`max_age: ${maxAgeText} is not an integer from 0 to ${mtaStsMaxAgeLimit}`)
  else maxAgeSeconds = Number(maxAgeText)
  const mx = values.get('mx') ?? []
  for (const pattern of mx) if (!isMxPattern(pattern)) errors.push(`mx: ${pattern} is not a host name or *.domain pattern`)
  if (mx.length === 0 && mode !== 'none') errors.push('no mx: pattern (a policy must name the MX hosts it allows)')
  return { version, mode, mx, maxAgeSeconds, errors }
}

function isMxPattern(pattern: string): boolean {
  return /^(\*\.)?([A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9])?\.)+[A-Za-z0-9-]+\.?$/.test(pattern)
}

/**
 * RFC 8461 §4.1: a pattern is a host name, or `*.` and a domain where the wildcard stands
 * for exactly one left-most label (`*.example.com` matches `mx1.example.com`, not
 * `example.com` nor `a.b.example.com`). Case-insensitive, trailing dots ignored.
 */
export function mxMatchesPattern(host: string, pattern: string): boolean {
  const name = normalize(host)
  const want = normalize(pattern)
  if (!want.startsWith('*.')) return name === want
  const dot = name.indexOf('.')
  return dot > 0 && name.slice(dot + 1) === want.slice(2)
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '')
}

/** The MX hosts no pattern matches. */
export function uncoveredMxHosts(mxHosts: readonly string[], patterns: readonly string[]): string[] {
  return mxHosts.filter((host) => !patterns.some((pattern) => mxMatchesPattern(host, pattern)))
}
