import { parseTagList, tagValue } from './tag-list.js'

/** SMTP TLS Reporting records (RFC 8460 §3) published at `_smtp._tls.DOMAIN`. */
export interface TlsRptRecord {
  /** Report URIs: `mailto:` or `https:` (RFC 8460 §3). */
  rua: string[]
  errors: string[]
}

/** RFC 8460 §3: records that do not begin with `v=TLSRPTv1;` are discarded. */
export function isTlsRptRecord(text: string): boolean {
  return /^v=TLSRPTv1;/.test(text) || text === 'v=TLSRPTv1'
}

export function parseTlsRptRecord(text: string): TlsRptRecord {
  const list = parseTagList(text)
  const errors = [...list.errors]
  if (list.tags[0]?.[0] !== 'v' || list.tags[0][1] !== 'TLSRPTv1') errors.push('must start with v=TLSRPTv1;')
  const value = tagValue(list, 'rua')
  if (value === undefined) {
    errors.push('no rua= (where reports are sent is required)')
    return { rua: [], errors }
  }
  const uris = value.split(',').map((u) => u.trim()).filter(Boolean)
  for (const uri of uris) if (!isReportUri(uri)) errors.push(`rua: "${uri}" is not a mailto: or https: URI`)
  return { rua: uris.filter(isReportUri), errors }
}

function isReportUri(uri: string): boolean {
  if (/^mailto:[^@\s]+@[^@\s]+$/i.test(uri)) return true
  if (!/^https:\/\//i.test(uri)) return false
  try {
    return new URL(uri).protocol === 'https:'
  } catch {
    return false // not a URL: reported by the caller as not a report URI
  }
}
