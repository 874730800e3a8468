import type { FastifyInstance } from 'fastify'

/**
 * Security headers on every response (DESIGN.md, "Web security"; Posture must pass its
 * own HTTP rules). The CSP allows nothing inline: no inline script or style, no eval, no
 * framing (OWASP Secure Headers Project; MDN, Content-Security-Policy).
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

export function securityHeaders(tls: boolean): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    // HSTS only over TLS (RFC 6797 §7.2: not sent over plain HTTP). Two years, as hstspreload.org asks.
    // preload: Posture's http.hsts.preload-ready rule; the directive alone lists nothing, a submission does.
    ...(tls ? { 'strict-transport-security': 'max-age=63072000; includeSubDomains; preload' } : {}),
  }
}

/**
 * TLS 1.2 cipher suites of Mozilla's "intermediate" profile (Server Side TLS 5.7): AEAD
 * with forward secrecy only; TLS 1.3 suites are Node's defaults, all of which the profile
 * allows. Posture's own tls.mozilla.intermediate rule checks the collector against it.
 */
export const mozillaIntermediateCiphers = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':')

export function registerSecurityHeaders(app: FastifyInstance, tls: boolean): void {
  const headers = securityHeaders(tls)
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(headers)) if (!reply.hasHeader(name)) reply.header(name, value)
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
    return payload
  })
}
