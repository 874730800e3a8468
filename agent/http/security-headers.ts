/**
 * The response headers browsers use to confine a page, normalised for rules:
 * Content-Security-Policy (and its frame-ancestors directive, CSP Level 2 §7.7.3),
 * X-Frame-Options (RFC 7034) and X-Content-Type-Options (Fetch §3.5.4).
 */
export interface SecurityHeaders {
  /** Every CSP field joined with `, ` (the policies all apply), or null. */
  contentSecurityPolicy: string | null
  /** The frame-ancestors source list of the first policy that has one, or null. */
  frameAncestors: string | null
  /** Upper-cased value; several fields with different values read as `INVALID`. */
  xFrameOptions: string | null
  /** Lower-cased value of the first field, e.g. `nosniff`. */
  xContentTypeOptions: string | null
}

/** `headers`: Node's headersDistinct (lower-case names, one entry per field). */
export function readSecurityHeaders(headers: Readonly<Record<string, readonly string[]>>): SecurityHeaders {
  const csp = headers['content-security-policy'] ?? []
  const xfo = (headers['x-frame-options'] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim().toUpperCase()).filter(Boolean)
  const xcto = headers['x-content-type-options']?.[0]
  return {
    contentSecurityPolicy: csp.length > 0 ? csp.join(', ') : null,
    frameAncestors: csp.map(frameAncestorsOf).find((v) => v !== null) ?? null,
    xFrameOptions: xfo.length === 0 ? null : new Set(xfo).size === 1 ? xfo[0]! : 'INVALID',
    xContentTypeOptions: xcto === undefined ? null : xcto.trim().toLowerCase(),
  }
}

function frameAncestorsOf(policy: string): string | null {
  for (const directive of policy.split(/[;,]/)) {
    const [name, ...sources] = directive.trim().split(/\s+/)
    if (name?.toLowerCase() === 'frame-ancestors') return sources.join(' ')
  }
  return null
}
