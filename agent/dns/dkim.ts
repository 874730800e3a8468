import { createPublicKey } from 'node:crypto'
import { parseTagList, tagValue, unfold } from './tag-list.js'

/**
 * DKIM key records (RFC 6376 §3.6.1; Ed25519: RFC 8463) as published at
 * `SELECTOR._domainkey.DOMAIN`. The key itself is decoded to learn its size: an RSA key
 * below 1024 bits must be refused by verifiers (RFC 8301 §3.2), and 2048 is what the
 * rule asks for.
 */
export interface DkimKey {
  version: string | null
  /** `k=`: rsa unless stated. */
  keyType: string
  /** RSA modulus bits, 256 for Ed25519, null when the key cannot be decoded or is revoked. */
  keyBits: number | null
  /** `p=` empty: revoked. */
  revoked: boolean
  /** `t=` contains `y`: testing. */
  testing: boolean
  /** `h=` hash algorithms, when restricted. */
  hashes: string[] | null
  errors: string[]
}

/** A TXT record that is meant as a DKIM key: it starts with `v=DKIM1` or carries `p=`. */
export function isDkimRecord(text: string): boolean {
  return /^\s*v\s*=\s*DKIM1\s*(;|$)/.test(text) || /(^|;)\s*p\s*=/.test(text)
}

export function parseDkimRecord(text: string): DkimKey {
  const list = parseTagList(text)
  const errors = [...list.errors]
  const version = tagValue(list, 'v') ?? null
  // RFC 6376 §3.6.1: v= is optional, but when present it must be first and be DKIM1.
  if (version !== null && (version !== 'DKIM1' || list.tags[0]?.[0] !== 'v')) errors.push(`v=${version}: must be the first tag and be DKIM1`)
  const keyType = (tagValue(list, 'k') ?? 'rsa').toLowerCase()
  const hashes = tagValue(list, 'h')?.split(':').map((h) => h.trim().toLowerCase()).filter(Boolean) ?? null
  const flags = tagValue(list, 't')?.split(':').map((f) => f.trim()) ?? []
  const p = tagValue(list, 'p')
  const key: DkimKey = { version, keyType, keyBits: null, revoked: false, testing: flags.includes('y'), hashes, errors }
  if (hashes && !hashes.includes('sha256')) errors.push(`h=${hashes.join(':')}: sha256 is not allowed, and verifiers refuse sha1 (RFC 8301 §3.1)`)
  if (p === undefined) {
    errors.push('no p= tag (the public key is required)')
    return key
  }
  const data = unfold(p)
  if (data === '') {
    key.revoked = true
    return key
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) {
    errors.push('p= is not base64')
    return key
  }
  const bytes = Buffer.from(data, 'base64')
  if (keyType === 'rsa') {
    const bits = rsaBits(bytes)
    if (bits === null) errors.push('p= is not an RSA public key (SubjectPublicKeyInfo or RSAPublicKey DER)')
    key.keyBits = bits
  } else if (keyType === 'ed25519') {
    // RFC 8463 §4.2: the bare 32-byte public key, not wrapped in ASN.1.
    if (bytes.length === 32 && isEd25519(bytes)) key.keyBits = 256
    else errors.push(`p= is not a 32-byte Ed25519 public key (${bytes.length} bytes; RFC 8463 §4.2)`)
  } else {
    errors.push(`k=${keyType}: unknown key type (rsa or ed25519)`)
  }
  return key
}

function rsaBits(der: Buffer): number | null {
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type })
      if (key.asymmetricKeyType === 'rsa') return key.asymmetricKeyDetails?.modulusLength ?? null
    } catch {
      // Not this encoding: RFC 6376 says RSAPublicKey, everyone publishes SubjectPublicKeyInfo.
    }
  }
  return null
}

function isEd25519(raw: Buffer): boolean {
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }).asymmetricKeyType === 'ed25519'
  } catch {
    return false
  }
}
