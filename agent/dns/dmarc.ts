import { parseTagList, tagValue } from './tag-list.js'

/** DMARC policy records (RFC 7489 §6.3) published at `_dmarc.DOMAIN`. */
export interface DmarcRecord {
  /** `p=`: none, quarantine, reject; null when missing or invalid. */
  policy: string | null
  subdomainPolicy: string | null
  /** `pct=` (default 100, RFC 7489 §6.3). */
  pct: number | null
  rua: string[]
  ruf: string[]
  adkim: string
  aspf: string
  errors: string[]
}

const policies = ['none', 'quarantine', 'reject']

/** RFC 7489 §6.6.3 step 4: records that do not start with `v=DMARC1` are discarded. */
export function isDmarcRecord(text: string): boolean {
  return /^v\s*=\s*DMARC1\s*(;|$)/.test(text)
}

export function parseDmarcRecord(text: string): DmarcRecord {
  const list = parseTagList(text)
  const errors = [...list.errors]
  if (list.tags[0]?.[0] !== 'v' || list.tags[0][1] !== 'DMARC1') errors.push('must start with v=DMARC1')
  const read = (name: string, allowed: readonly string[], fallback: string | null): string | null => {
    const value = tagValue(list, name)
    if (value === undefined) return fallback
    const lower = value.toLowerCase()
    if (allowed.includes(lower)) return lower
    errors.push(`${name}=${value}: not one of ${allowed.join(', ')}`)
    return fallback
  }
  const p = tagValue(list, 'p')
  // RFC 7489 §6.3: p= is required (§6.6.3 lets a receiver use "none" when rua= is valid).
  if (p === undefined) errors.push('no p= tag (the policy is required)')
  const policy = read('p', policies, null)
  const subdomainPolicy = read('sp', policies, null)
  const adkim = read('adkim', ['r', 's'], 'r')!
  const aspf = read('aspf', ['r', 's'], 'r')!
  let pct: number | null = 100
  const pctText = tagValue(list, 'pct')
  if (pctText !== undefined) {
    if (/^\d{1,3}$/.test(pctText) && Number(pctText) <= 100) pct = Number(pctText)
    else {
      errors.push(`pct=${pctText}: not an integer from 0 to 100`)
      pct = null
    }
  }
  const uris = (name: string): string[] => {
    const value = tagValue(list, name)
    if (value === undefined || value === '') return []
    const all = value.split(',').map((u) => u.trim()).filter(Boolean)
    for (const uri of all) if (!isReportUri(uri)) errors.push(`${name}: "${uri}" is not a mailto: URI, the only kind every receiver sends to (RFC 7489 §6.2)`)
    return all.filter(isReportUri)
  }
  return { policy, subdomainPolicy, pct, rua: uris('rua'), ruf: uris('ruf'), adkim, aspf, errors }
}

/** `mailto:dmarc@example.com` with an optional size limit `!10m` (RFC 7489 §6.2). */
function isReportUri(uri: string): boolean {
  return /^mailto:[^@\s]+@[^@\s!]+(![0-9]+[kmgt]?)?$/i.test(uri)
}
