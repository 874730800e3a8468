import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * High-entropy bearer secrets: agent credentials (`pa1`), enrollment tokens (`pe1`) and
 * API tokens (`pt1`), each `<kind>.<id>.<secret>`: the id finds the row, the secret (32
 * random bytes) is stored only as its SHA-256 — a slow KDF adds nothing for 256-bit secrets.
 */
export type TokenKind = 'pa1' | 'pe1' | 'pt1'

export interface IssuedToken {
  id: string
  /** The whole token, shown once. */
  token: string
  secretHash: string
}

export function issueToken(kind: TokenKind): IssuedToken {
  const id = randomBytes(9).toString('base64url')
  const secret = randomBytes(32).toString('base64url')
  return { id, token: `${kind}.${id}.${secret}`, secretHash: hashSecret(secret) }
}

/** `{id, secret}` of a well-formed token of `kind`, or null. */
export function parseToken(kind: TokenKind, token: string): { id: string; secret: string } | null {
  const match = /^([a-z0-9]+)\.([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (!match || match[1] !== kind) return null
  return { id: match[2]!, secret: match[3]! }
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex')
  const b = Buffer.from(storedHash, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}
