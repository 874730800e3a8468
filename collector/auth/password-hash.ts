import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/**
 * Password hashes: scrypt (RFC 7914), a memory-hard KDF, with a per-hash random salt and
 * the parameters stored in the hash so they can be raised later without breaking old
 * hashes. Format: `scrypt$N=<N>,r=<r>,p=<p>$<salt base64>$<key base64>`.
 * N=2^15, r=8, p=1 is OWASP's Password Storage Cheat Sheet minimum for scrypt (2023).
 */
export interface ScryptParams {
  N: number
  r: number
  p: number
}

export const defaultScryptParams: ScryptParams = Object.freeze({ N: 2 ** 15, r: 8, p: 1 })
const keyLength = 32
const saltLength = 16

export async function hashPassword(password: string, params: ScryptParams = defaultScryptParams): Promise<string> {
  if (password.length === 0) throw new RangeError('password must not be empty')
  const salt = randomBytes(saltLength)
  const key = await derive(password, salt, params)
  return `scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString('base64')}$${key.toString('base64')}`
}

/** True when `password` matches `stored`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored)
  if (!parsed) return false
  const key = await derive(password, parsed.salt, parsed.params)
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key)
}

/** True when a stored hash uses weaker parameters than the current defaults (rehash on login). */
export function needsRehash(stored: string, params: ScryptParams = defaultScryptParams): boolean {
  const parsed = parseHash(stored)
  return !parsed || parsed.params.N < params.N || parsed.params.r < params.r || parsed.params.p < params.p
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const match = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored)
  if (!match) return null
  const params = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) }
  // Refuse absurd parameters from a tampered row rather than allocate gigabytes.
  if (params.N < 2 || params.N > 2 ** 20 || (params.N & (params.N - 1)) !== 0 || params.r > 32 || params.p > 16) return null
  return { params, salt: Buffer.from(match[4]!, 'base64'), key: Buffer.from(match[5]!, 'base64') }
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 }
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)))
  })
}

/** A random password for a first login: 20 characters from an unambiguous alphabet (~115 bits). */
export function generatePassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'
  const bytes = randomBytes(length * 2)
  let out = ''
  // Rejection sampling keeps every character equally likely.
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i]!
    if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length]
  }
  return out.length === length ? out : generatePassword(length)
}
