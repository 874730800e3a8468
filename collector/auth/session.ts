import { createHash, randomBytes } from 'node:crypto'
import { parseCookie, stringifySetCookie } from 'cookie'

/**
 * Browser sessions (OWASP Session Management Cheat Sheet): a 256-bit random secret in a
 * `__Host-` cookie (Secure, Path=/, no Domain: RFC 6265bis §4.1.3.2), HttpOnly so script
 * never reads it, SameSite=Strict so no other site sends it. The store keeps only its
 * SHA-256, so a copy of the database holds no live session. A new secret is made at
 * every login (no fixation); sessions end after `idleMs` without use or `absoluteMs` in
 * all, whichever comes first.
 */
export const sessionCookieName = '__Host-posture-session'

export interface SessionPolicy {
  idleMs: number
  absoluteMs: number
}

// OWASP suggests 15–30 minutes idle for most applications and an absolute limit of a working day.
export const defaultSessionPolicy: SessionPolicy = Object.freeze({ idleMs: 30 * 60_000, absoluteMs: 12 * 60 * 60_000 })

export function newSecret(): string {
  return randomBytes(32).toString('base64url')
}

/** The key a session is stored under: the SHA-256 of the cookie's secret. */
export function sessionKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

export interface SessionTimes {
  createdAt: string
  lastSeen: string
}

/** When this session ends if it is not used again. */
export function sessionExpiry(session: SessionTimes, policy: SessionPolicy): number {
  return Math.min(Date.parse(session.lastSeen) + policy.idleMs, Date.parse(session.createdAt) + policy.absoluteMs)
}

export function isSessionLive(session: SessionTimes, now: number, policy: SessionPolicy): boolean {
  return sessionExpiry(session, policy) > now
}

export function sessionCookie(secret: string, policy: SessionPolicy): string {
  return stringifySetCookie({
    name: sessionCookieName,
    value: secret,
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
    maxAge: Math.floor(policy.absoluteMs / 1000),
  })
}

export function clearedSessionCookie(): string {
  return stringifySetCookie({ name: sessionCookieName, value: '', httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: 0 })
}

/** The session secret a request's Cookie header carries, if any. */
export function sessionSecretFrom(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined
  const value = parseCookie(cookieHeader)[sessionCookieName]
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined
}
