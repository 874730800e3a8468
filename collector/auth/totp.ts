import { Secret, TOTP } from 'otpauth'

/**
 * TOTP second factor (RFC 6238) through `otpauth`: SHA-1, 6 digits, 30 s — what every
 * authenticator app reads from an otpauth:// QR code. A code is accepted one step either
 * side of now (RFC 6238 §5.2 allows for clock drift) and only once: the step that was
 * used is stored and any code at or before it is refused, so an observed code cannot be
 * replayed within its window.
 */
const periodSeconds = 30
const digits = 6

/** A new random secret, base32 (160 bits, RFC 4226 §4 recommends at least 128). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

/** The otpauth:// URI the QR code carries. */
export function totpUri(secret: string, account: string, issuer: string): string {
  return totp(secret, account, issuer).toString()
}

export type TotpVerdict = { ok: true; step: number } | { ok: false; reason: 'invalid' | 'replayed' }

/** Checks `code` at `now` against `secret`, refusing steps at or before `lastStep`. */
export function verifyTotp(secret: string, code: string, now: number, lastStep: number | null): TotpVerdict {
  const token = code.replace(/\s+/g, '')
  if (!/^\d{6}$/.test(token)) return { ok: false, reason: 'invalid' }
  const delta = totp(secret, '', 'Posture').validate({ token, timestamp: now, window: 1 })
  if (delta === null) return { ok: false, reason: 'invalid' }
  const step = Math.floor(now / 1000 / periodSeconds) + delta
  if (lastStep !== null && step <= lastStep) return { ok: false, reason: 'replayed' }
  return { ok: true, step }
}

/** The current code for a secret (tests and the e2e harness play the authenticator app). */
export function totpCode(secret: string, now: number): string {
  return totp(secret, '', 'Posture').generate({ timestamp: now })
}

function totp(secret: string, label: string, issuer: string): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits, period: periodSeconds, secret: Secret.fromBase32(secret) })
}
