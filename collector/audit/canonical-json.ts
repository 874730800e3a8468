/**
 * Canonical JSON for hashing (the subset of RFC 8785, JSON Canonicalization Scheme, that
 * audit entries use): object keys sorted by UTF-16 code units, no whitespace, strings and
 * finite numbers as ECMAScript's JSON.stringify writes them (which is what RFC 8785 §3.2.2
 * specifies). The same value always gives the same bytes, so a verifier in any language
 * that implements JCS recomputes the same hashes.
 */
export type CanonicalValue = null | boolean | number | string | readonly CanonicalValue[] | { readonly [key: string]: CanonicalValue }

export function canonicalJson(value: CanonicalValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`canonical JSON cannot hold ${value}`)
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map((v: CanonicalValue) => canonicalJson(v)).join(',')}]`
  const record = value as { readonly [key: string]: CanonicalValue }
  const keys = Object.keys(record).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k]!)}`).join(',')}}`
}
