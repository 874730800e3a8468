import { describe, expect, it } from 'vitest'
import { clearedSessionCookie, isSessionLive, newSecret, sessionCookie, sessionKey, sessionSecretFrom } from '../../../../collector/auth/session.js'

const policy = { idleMs: 30 * 60_000, absoluteMs: 12 * 3600_000 }

describe('sessions', () => {
  it('sets a __Host- cookie that is HttpOnly, Secure, SameSite=Strict, Path=/ and expiring', () => {
    const secret = newSecret()
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(sessionCookie(secret, policy)).toBe(`__Host-posture-session=${secret}; Max-Age=43200; Path=/; HttpOnly; Secure; SameSite=Strict`)
    expect(clearedSessionCookie()).toContain('Max-Age=0')
  })

  it('reads the secret back from a Cookie header and ignores malformed values', () => {
    const secret = newSecret()
    expect(sessionSecretFrom(`theme=dark; __Host-posture-session=${secret}`)).toBe(secret)
    expect(sessionSecretFrom('__Host-posture-session=short')).toBeUndefined()
    expect(sessionSecretFrom(undefined)).toBeUndefined()
  })

  it('stores only a digest of the secret', () => {
    expect(sessionKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('expires after the idle limit or the absolute limit, whichever is first', () => {
    const created = Date.UTC(2026, 0, 1, 8)
    const at = (ms: number) => new Date(created + ms).toISOString()
    expect(isSessionLive({ createdAt: at(0), lastSeen: at(0) }, created + 29 * 60_000, policy)).toBe(true)
    expect(isSessionLive({ createdAt: at(0), lastSeen: at(0) }, created + 30 * 60_000, policy)).toBe(false)
    expect(isSessionLive({ createdAt: at(0), lastSeen: at(11.9 * 3600_000) }, created + 12 * 3600_000, policy)).toBe(false)
  })
})
