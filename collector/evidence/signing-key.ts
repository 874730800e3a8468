import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { PostureError } from '../../rules/posture-error.js'

/**
 * The collector's evidence signing key: Ed25519 (RFC 8032) through node:crypto, created on
 * first use in the data directory (`evidence-signing-key.pem`, mode 0600). Exports are
 * signed with it; auditors pin its public key (`posture collector signing-key`) and pass it
 * to `posture verify --key`.
 */
export interface SigningKey {
  privateKey: KeyObject
  publicKeyPem: string
  /** `SHA256:` + hex of the SHA-256 of the public key's SubjectPublicKeyInfo (DER). */
  fingerprint: string
}

export function signingKeyPath(dataDir: string): string {
  return join(dataDir, 'evidence-signing-key.pem')
}

export function loadOrCreateSigningKey(dataDir: string): SigningKey {
  const path = signingKeyPath(dataDir)
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('ed25519')
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    try {
      // wx: two processes creating the key at once cannot overwrite each other's.
      writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new PostureError('CANNOT_WRITE', `${path}: cannot write the signing key`, { cause: err })
    }
  }
  chmodSync(path, 0o600)
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(readFileSync(path))
  } catch (err) {
    throw new PostureError('UNREADABLE', `${path}: not a readable private key`, { cause: err })
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new PostureError('BAD_CONFIG', `${path}: the signing key must be Ed25519, not ${privateKey.asymmetricKeyType}`)
  const publicKeyPem = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString()
  return { privateKey, publicKeyPem, fingerprint: publicKeyFingerprint(publicKeyPem) }
}

/** Parses an Ed25519 public key (PEM SPKI); throws BAD_INPUT naming what is wrong. */
export function parsePublicKey(pem: string): KeyObject {
  let key: KeyObject
  try {
    key = createPublicKey(pem)
  } catch (err) {
    throw new PostureError('BAD_INPUT', 'not a PEM public key', { cause: err })
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new PostureError('BAD_INPUT', `the public key is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`)
  return key
}

export function publicKeyFingerprint(pem: string): string {
  const der = parsePublicKey(pem).export({ format: 'der', type: 'spki' })
  return `SHA256:${createHash('sha256').update(der).digest('hex')}`
}
