/**
 * security.txt (RFC 9116): `Field: value` lines, `#` comments, optionally wrapped in an
 * OpenPGP cleartext signature (RFC 4880 §7). Whether Expires lies in the future is left
 * to the rule (it needs the scan clock); everything else RFC 9116 requires of the file
 * itself is checked here and reported in `errors`.
 */
export interface SecurityTxt {
  signed: boolean
  contact: string[]
  /** ISO 8601 (UTC) of the one valid Expires field, else null. */
  expires: string | null
  encryption: string[]
  canonical: string[]
  policy: string[]
  acknowledgments: string[]
  hiring: string[]
  preferredLanguages: string[]
  /** Field names RFC 9116 does not define (allowed, §2.4). */
  otherFields: string[]
  errors: string[]
}

const signedHeader = '-----BEGIN PGP SIGNED MESSAGE-----'
const signatureHeader = '-----BEGIN PGP SIGNATURE-----'
const signatureFooter = '-----END PGP SIGNATURE-----'

/** Fields whose value is a URI and which, when the URI is on the web, must use https (RFC 9116 §2.5). */
const uriFields = ['acknowledgments', 'canonical', 'contact', 'encryption', 'hiring', 'policy', 'csaf'] as const
const knownFields = new Set<string>([...uriFields, 'expires', 'preferred-languages'])

/** RFC 3339 §5.6 date-time. */
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/** `url`: where the file was fetched from, for the Canonical check (RFC 9116 §2.5.2). */
export function parseSecurityTxt(text: string, url: string): SecurityTxt {
  const errors: string[] = []
  const unwrapped = unwrapSignature(text.replace(/^\uFEFF/, ''))
  if ('error' in unwrapped) errors.push(unwrapped.error)
  const body = 'error' in unwrapped ? text : unwrapped.body
  const fields = new Map<string, string[]>()
  const otherFields: string[] = []
  for (const [index, raw] of body.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line)
    if (!match) {
      errors.push(`line ${index + 1}: "${line.slice(0, 60)}" is not a "Field: value" line`)
      continue
    }
    const name = match[1]!.toLowerCase()
    if (!knownFields.has(name) && !otherFields.includes(match[1]!)) otherFields.push(match[1]!)
    fields.set(name, [...(fields.get(name) ?? []), match[2]!])
  }
  const values = (name: string) => fields.get(name) ?? []

  for (const name of uriFields) {
    for (const value of values(name)) {
      const problem = uriProblem(value)
      if (problem) errors.push(`${fieldLabel(name)}: "${value}" ${problem}`)
    }
  }
  const contact = values('contact')
  if (contact.length === 0) errors.push('no Contact field (required, RFC 9116 §2.5.3)')

  let expires: string | null = null
  const expiresValues = values('expires')
  if (expiresValues.length === 0) errors.push('no Expires field (required, RFC 9116 §2.5.5)')
  else if (expiresValues.length > 1) errors.push(`Expires appears ${expiresValues.length} times (at most once, RFC 9116 §2.5.5)`)
  else if (!rfc3339.test(expiresValues[0]!) || Number.isNaN(Date.parse(expiresValues[0]!))) errors.push(`Expires: "${expiresValues[0]}" is not an RFC 3339 date-time such as 2027-01-31T23:00:00Z`)
  else expires = new Date(Date.parse(expiresValues[0]!)).toISOString()

  const languages = values('preferred-languages')
  if (languages.length > 1) errors.push(`Preferred-Languages appears ${languages.length} times (at most once, RFC 9116 §2.5.8)`)
  const canonical = values('canonical')
  if (canonical.length > 0 && !canonical.includes(url)) {
    errors.push(`fetched from ${url}, which no Canonical field lists: the file should not be trusted there (RFC 9116 §2.5.2)`)
  }
  return {
    signed: unwrapped.signed,
    contact,
    expires,
    encryption: values('encryption'),
    canonical,
    policy: values('policy'),
    acknowledgments: values('acknowledgments'),
    hiring: values('hiring'),
    preferredLanguages: (languages[0] ?? '').split(',').map((l) => l.trim()).filter(Boolean),
    otherFields,
    errors,
  }
}

function fieldLabel(name: string): string {
  return name === 'csaf' ? 'CSAF' : name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase())
}

/** Why a value is not an acceptable URI, or null. */
function uriProblem(value: string): string | null {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase()
  if (!scheme) return 'is not a URI (an e-mail address is written mailto:…)'
  if (scheme === 'http') return 'uses plain http: web URIs must begin with https:// (RFC 9116 §2.5)'
  if (scheme === 'https') {
    try {
      new URL(value)
    } catch {
      return 'is not a valid URL'
    }
  }
  return null
}

/**
 * Strips an OpenPGP cleartext signature frame, undoing dash-escaping (RFC 4880 §7.1).
 * The signature itself is not verified: that needs the signer's key.
 */
function unwrapSignature(text: string): { signed: boolean; body: string } | { signed: boolean; error: string } {
  const trimmed = text.trimStart()
  if (!trimmed.startsWith(signedHeader)) {
    if (text.includes(signatureHeader)) return { signed: false, error: 'an OpenPGP signature block without the "BEGIN PGP SIGNED MESSAGE" header' }
    return { signed: false, body: text }
  }
  const lines = trimmed.split(/\r?\n/)
  let index = 1
  while (index < lines.length && lines[index]!.trim() !== '') index++ // armor headers (Hash: …)
  const start = index + 1
  const end = lines.findIndex((l, i) => i >= start && l.trim() === signatureHeader)
  if (end < 0 || !lines.slice(end).some((l) => l.trim() === signatureFooter)) return { signed: true, error: 'signed message without a complete "BEGIN/END PGP SIGNATURE" block' }
  const body = lines
    .slice(start, end)
    .map((l) => (l.startsWith('- ') ? l.slice(2) : l))
    .join('\n')
  return { signed: true, body }
}
