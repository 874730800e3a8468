import { timingSafeEqual } from 'node:crypto'

/**
 * CSRF defence for cookie-authenticated requests (OWASP CSRF Prevention Cheat Sheet):
 * a synchronizer token, bound to the session and sent by the page in a header that a
 * cross-site form cannot set, plus a same-origin check of Sec-Fetch-Site / Origin as a
 * second layer. SameSite=Strict cookies are a third. Requests with a Bearer API token
 * carry no ambient credential and need none of this.
 */
export const csrfHeader = 'x-csrf-token'

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

export interface CsrfRequest {
  method: string
  /** The token the request carries in the X-CSRF-Token header. */
  headerToken: string | undefined
  /** The token stored with the session. */
  sessionToken: string
  origin: string | undefined
  secFetchSite: string | undefined
  /** The collector's own origin as the browser sees it, e.g. `https://collector:8443`. */
  host: string | undefined
}

export type CsrfVerdict = { ok: true } | { ok: false; reason: 'missing-token' | 'bad-token' | 'cross-site' }

export function checkCsrf(request: CsrfRequest): CsrfVerdict {
  if (safeMethods.has(request.method.toUpperCase())) return { ok: true }
  if (request.secFetchSite !== undefined && request.secFetchSite !== 'same-origin' && request.secFetchSite !== 'none') {
    return { ok: false, reason: 'cross-site' }
  }
  if (request.origin !== undefined && request.host !== undefined && !sameHost(request.origin, request.host)) {
    return { ok: false, reason: 'cross-site' }
  }
  if (!request.headerToken) return { ok: false, reason: 'missing-token' }
  const a = Buffer.from(request.headerToken)
  const b = Buffer.from(request.sessionToken)
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: 'bad-token' }
  return { ok: true }
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host
  } catch {
    return false // "null" or garbage: not our origin
  }
}
