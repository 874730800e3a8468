import type { HttpRedirectFacts, HttpSiteFacts } from '../../../rules/facts/http.js'
import { parseHsts } from '../../http/hsts-header.js'
import type { HttpAnswer } from '../../http/http-probe.js'
import { readSecurityHeaders } from '../../http/security-headers.js'

/** An HTTPS site's facts from its recorded `GET /` answer. Pure. */
export function siteFacts(url: string, endpoint: string, answer: HttpAnswer, redirect: HttpRedirectFacts | null): HttpSiteFacts {
  const hsts = parseHsts(answer.headers['strict-transport-security'] ?? [])
  return {
    target: url,
    endpoint,
    status: answer.status,
    hsts,
    headers: readSecurityHeaders(answer.headers),
    redirectToHttps: redirect && redirect.error === undefined ? Boolean(redirect.toHttps && redirect.sameHost) : null,
  }
}

/**
 * The plain-HTTP answer on the same host: a 3xx whose Location is an https: URL on the
 * same host name (hstspreload `redirects.http.first_redirect.*`; MDN Observatory
 * "redirection"). Relative Locations stay on http:.
 */
export function redirectFacts(url: string, site: string, answer: HttpAnswer): HttpRedirectFacts {
  const location = answer.headers['location']?.[0] ?? null
  let toHttps = false
  let sameHost = false
  if (answer.status >= 300 && answer.status < 400 && location) {
    try {
      const from = new URL(url)
      const to = new URL(location, url)
      toHttps = to.protocol === 'https:'
      sameHost = to.hostname.toLowerCase() === from.hostname.toLowerCase()
    } catch {
      // An unparseable Location redirects nowhere a browser would follow: neither flag is set.
    }
  }
  return { target: url, site, status: answer.status, location, toHttps, sameHost }
}
