/**
 * The Strict-Transport-Security header, parsed as RFC 6797 says — stricter than most
 * scanners (see shared reference §6.1): directive names are case-insensitive (§6.1 rule 3),
 * `max-age` may be a token or a quoted-string (§6.1.1), a repeated directive or any syntax
 * error makes the whole header invalid (§6.1 rules 2 and 4), unknown directives are
 * ignored (§6.1 rule 5), and when the response carries more than one STS field only the
 * first counts (§8.1) — while more than one is itself a misconfiguration (§7.1).
 */
export interface HstsHeader {
  /** How many Strict-Transport-Security fields the response carried. */
  fieldCount: number
  /** The first field's value, as received. */
  value: string
  valid: boolean
  /** Why it is invalid (empty when valid). */
  errors: string[]
  /** Seconds; null when absent or unparseable. */
  maxAge: number | null
  includeSubDomains: boolean
  /** Not in RFC 6797: the hstspreload.org convention. */
  preload: boolean
  unknownDirectives: string[]
}

/** RFC 7230 §3.2.6 tchar. */
const tchar = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/

interface Directive {
  name: string
  value: string | null
}

/** `fields`: every Strict-Transport-Security field of the response, in order (headersDistinct). */
export function parseHsts(fields: readonly string[]): HstsHeader | null {
  const first = fields[0]
  if (first === undefined) return null
  const errors: string[] = []
  if (fields.length > 1) errors.push(`${fields.length} Strict-Transport-Security fields (RFC 6797 §7.1 allows one; browsers use the first)`)
  const parsed = tokenize(first)
  const header: HstsHeader = {
    fieldCount: fields.length,
    value: first,
    valid: false,
    errors,
    maxAge: null,
    includeSubDomains: false,
    preload: false,
    unknownDirectives: [],
  }
  if ('error' in parsed) {
    errors.push(parsed.error)
    return header
  }
  // Only syntax and directive errors of the first field make the policy invalid; a second
  // field is a finding but browsers still apply the first (§8.1).
  let syntaxErrors = 0
  const seen = new Set<string>()
  for (const directive of parsed.directives) {
    const name = directive.name.toLowerCase()
    if (seen.has(name)) {
      errors.push(`directive ${directive.name} appears more than once (RFC 6797 §6.1: all directives MUST appear only once)`)
      syntaxErrors++
      continue
    }
    seen.add(name)
    if (name === 'max-age') {
      if (directive.value === null || !/^[0-9]+$/.test(directive.value)) {
        errors.push(`max-age must be a number of seconds, got ${directive.value === null ? 'no value' : JSON.stringify(directive.value)}`)
        syntaxErrors++
      } else {
        header.maxAge = Number(directive.value)
      }
    } else if (name === 'includesubdomains' || name === 'preload') {
      if (directive.value !== null) {
        errors.push(`${directive.name} takes no value, got ${JSON.stringify(directive.value)}`)
        syntaxErrors++
      } else if (name === 'includesubdomains') {
        header.includeSubDomains = true
      } else {
        header.preload = true
      }
    } else {
      header.unknownDirectives.push(directive.name)
    }
  }
  if (!seen.has('max-age')) {
    errors.push('max-age is missing (RFC 6797 §6.1.1: it is required)')
    syntaxErrors++
  }
  header.valid = syntaxErrors === 0
  return header
}

/** Splits `directive *( ";" [ directive ] )` with token / quoted-string values and optional whitespace. */
function tokenize(text: string): { directives: Directive[] } | { error: string } {
  const directives: Directive[] = []
  let i = 0
  const skipSpace = () => {
    while (text[i] === ' ' || text[i] === '\t') i++
  }
  const readToken = () => {
    const start = i
    while (i < text.length && tchar.test(text[i]!)) i++
    return text.slice(start, i)
  }
  for (;;) {
    skipSpace()
    if (i >= text.length) break
    if (text[i] === ';') {
      i++ // an empty directive is allowed by the ABNF
      continue
    }
    const name = readToken()
    if (!name) return { error: `unexpected ${JSON.stringify(text[i])} at position ${i + 1}` }
    skipSpace()
    let value: string | null = null
    if (text[i] === '=') {
      i++
      skipSpace()
      if (text[i] === '"') {
        i++
        let quoted = ''
        for (;;) {
          if (i >= text.length) return { error: `unterminated quoted value of ${name}` }
          const c = text[i]!
          if (c === '"') {
            i++
            break
          }
          if (c === '\\' && i + 1 < text.length) {
            quoted += text[i + 1]
            i += 2
            continue
          }
          quoted += c
          i++
        }
        value = quoted
      } else {
        value = readToken()
        if (!value) return { error: `${name}= has no value` }
      }
      skipSpace()
    }
    directives.push({ name, value })
    if (i >= text.length) break
    if (text[i] !== ';') return { error: `unexpected ${JSON.stringify(text[i])} after ${name} at position ${i + 1}` }
    i++
  }
  return { directives }
}
