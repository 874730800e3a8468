import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PostureError } from '../../rules/posture-error.js'

/**
 * TOTP secrets at rest: AES-256-GCM (NIST SP 800-38D) with a 256-bit key kept in the data
 * directory, apart from the database, so a copied database or backup does not carry
 * usable second factors. A sealed value is `enc:v1:` + base64(12-byte IV ‖ ciphertext ‖
 * 16-byte tag); a value without the prefix is a secret stored before encryption, read
 * as is and sealed on read. The key file is created on first start, mode 0600.
 */
export const totpKeyFileName = 'totp-secret.key'
const prefix = 'enc:v1:'
const aad = Buffer.from('posture totp secret v1')

export interface TotpSecretBox {
  seal(secret: string): string
  /** The secret; a clear legacy value is returned as it is. Throws on a value sealed with another key or tampered with. */
  open(stored: string): string
  isSealed(stored: string): boolean
}

export function createTotpSecretBox(key: Buffer): TotpSecretBox {
  if (key.length !== 32) throw new RangeError(`TOTP key must be 32 bytes, got ${key.length}`)
  return {
    seal(secret) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(aad)
      const sealed = Buffer.concat([iv, cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return prefix + sealed.toString('base64')
    },
    open(stored) {
      if (!stored.startsWith(prefix)) return stored
      const raw = Buffer.from(stored.slice(prefix.length), 'base64')
      if (raw.length < 12 + 16 + 1) throw new PostureError('INTERNAL', 'a sealed TOTP secret is truncated')
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
      decipher.setAAD(aad)
      decipher.setAuthTag(raw.subarray(raw.length - 16))
      try {
        return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8')
      } catch (err) {
        throw new PostureError('INTERNAL', `a TOTP secret does not open with ${totpKeyFileName} (another data directory's key, or altered)`, { cause: err })
      }
    },
    isSealed: (stored) => stored.startsWith(prefix),
  }
}

/** Reads `<dataDir>/totp-secret.key`, creating it (32 random bytes, mode 0600) on first start. */
export function loadTotpKey(dataDir: string): Buffer {
  const path = join(dataDir, totpKeyFileName)
  try {
    writeFileSync(path, randomBytes(32), { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new PostureError('CANNOT_WRITE', `cannot create ${path}: ${(err as Error).message}`, { cause: err })
  }
  // Tighten a key file someone made readable to others (umask, copy).
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600)
  const key = readFileSync(path)
  if (key.length !== 32) throw new PostureError('BAD_CONFIG', `${path} must hold 32 bytes (an AES-256 key), it holds ${key.length}`)
  return key
}
