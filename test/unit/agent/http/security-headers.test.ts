import { describe, expect, it } from 'vitest'
import { readSecurityHeaders } from '../../../../agent/http/security-headers.js'

describe('readSecurityHeaders', () => {
  it('reads nothing from a bare response', () => {
    expect(readSecurityHeaders({})).toEqual({ contentSecurityPolicy: null, frameAncestors: null, xFrameOptions: null, xContentTypeOptions: null })
  })

  it('normalises the headers', () => {
    expect(
      readSecurityHeaders({
        'content-security-policy': ["default-src 'self'; Frame-Ancestors 'none'"],
        'x-frame-options': ['sameorigin'],
        'x-content-type-options': [' NoSniff '],
      }),
    ).toEqual({ contentSecurityPolicy: "default-src 'self'; Frame-Ancestors 'none'", frameAncestors: "'none'", xFrameOptions: 'SAMEORIGIN', xContentTypeOptions: 'nosniff' })
  })

  it('joins several CSP fields and finds frame-ancestors in any', () => {
    const headers = readSecurityHeaders({ 'content-security-policy': ["default-src 'self'", "frame-ancestors https://a.example"] })
    expect(headers.contentSecurityPolicy).toBe("default-src 'self', frame-ancestors https://a.example")
    expect(headers.frameAncestors).toBe('https://a.example')
  })

  it('calls conflicting X-Frame-Options fields invalid, repeated equal ones fine', () => {
    expect(readSecurityHeaders({ 'x-frame-options': ['DENY', 'SAMEORIGIN'] }).xFrameOptions).toBe('INVALID')
    expect(readSecurityHeaders({ 'x-frame-options': ['DENY', 'deny'] }).xFrameOptions).toBe('DENY')
  })
})
