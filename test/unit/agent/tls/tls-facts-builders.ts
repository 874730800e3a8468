import { describeSuite, suiteHex } from '../../../../agent/tls/cipher-suites.js'
import type { CertificateFacts, CipherFacts } from '../../../../rules/facts/tls.js'

/** Cipher facts as the gatherer builds them, for tests that start from fact literals. */
export function cipher(protocol: string, code: number, group: string | null = 'x25519'): CipherFacts {
  const info = describeSuite(code)
  const ephemeral = info.tls13 || ['ECDHE', 'DHE'].includes(info.kx)
  return {
    protocol,
    name: info.name,
    code: suiteHex(code),
    bits: info.bits,
    kx: info.tls13 ? 'ECDHE' : info.kx,
    au: info.tls13 ? 'RSA' : info.au,
    enc: info.enc,
    aead: info.aead,
    export: info.export,
    kxBits: ephemeral && info.kx !== 'DHE' ? 253 : null,
    group: ephemeral && info.kx !== 'DHE' ? group : null,
  }
}

/** A trusted, matching RSA-2048 SHA-256 certificate valid through 2026; override what a case needs. */
export function certificate(overrides: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    chain: [{ subject: 'CN=a.example', issuer: 'CN=CA', notAfter: '2026-12-01T00:00:00.000Z', selfSigned: false, isCa: false, signatureAlgorithm: 'sha256WithRSAEncryption', signatureHash: 'sha256', keyType: 'rsa', keyBits: 2048, fingerprint256: 'AA' }],
    subject: 'CN=a.example',
    commonName: 'a.example',
    sans: ['DNS:a.example'],
    issuer: 'CN=CA',
    notBefore: '2026-09-01T00:00:00.000Z',
    notAfter: '2026-12-01T00:00:00.000Z',
    daysRemaining: 61,
    lifetimeDays: 91,
    keyType: 'rsa',
    keyBits: 2048,
    keyCurve: null,
    signatureAlgorithm: 'sha256WithRSAEncryption',
    signatureHash: 'sha256',
    selfSigned: false,
    trusted: true,
    trustError: null,
    trustedBy: 'public',
    chainComplete: true,
    hostnameMatch: true,
    ocspUrl: null,
    ocspStapled: null,
    serialNumber: '01',
    fingerprint256: 'AA',
    ...overrides,
  }
}
