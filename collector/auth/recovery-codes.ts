import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Recovery codes: ten one-time codes shown once at TOTP enrolment, for a lost phone.
 * Each is 50 random bits written as `xxxxx-xxxxx` in Crockford base32 (no I, L, O, U to
 * misread). With that much entropy a fast hash is enough (unlike passwords): the store
 * keeps only SHA-256 digests.
 */
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'
export const recoveryCodeCount = 10

export function newRecoveryCodes(count = recoveryCodeCount): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(10)
    const chars = [...bytes].map((b) => alphabet[b & 31]!).join('')
    return `${chars.slice(0, 5)}-${chars.slice(5, 10)}`
  })
}

/** Case and dashes do not matter to the person typing it. */
export function normalizeRecoveryCode(code: string): string {
  const plain = code.toLowerCase().replace(/[\s-]/g, '')
  return plain.length === 10 ? `${plain.slice(0, 5)}-${plain.slice(5)}` : plain
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(`posture-recovery:${normalizeRecoveryCode(code)}`).digest('hex')
}

/** The index of the stored hash `code` matches, or -1; compares every one in constant time. */
export function matchRecoveryCode(code: string, hashes: readonly string[]): number {
  const candidate = Buffer.from(hashRecoveryCode(code), 'hex')
  let found = -1
  hashes.forEach((hash, i) => {
    const stored = Buffer.from(hash, 'hex')
    if (stored.length === candidate.length && timingSafeEqual(stored, candidate) && found === -1) found = i
  })
  return found
}
