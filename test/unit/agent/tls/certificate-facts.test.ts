import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { certificateFacts } from '../../../../agent/tls/certificate-facts.js'
import type { CertificateEvidence } from '../../../../agent/tls/probe-endpoint.js'

const pem = (name: string) => readFileSync(fileURLToPath(new URL(`../../../fixtures/tls/certs/${name}`, import.meta.url)), 'utf8')

function evidence(sent: string[], overrides: Partial<CertificateEvidence> = {}): CertificateEvidence {
  return { sent, verified: sent, trusted: false, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT', trustedBy: null, verifiedBy: 'openssl', ocspStapled: false, ...overrides }
}

describe('certificateFacts', () => {
  const ec = pem('ec-p256-sha256.pem')
  const notBefore = new Date(new X509Certificate(ec).validFrom)

  it('reads names, validity, key, signature, OCSP and trust of a self-signed P-256 certificate', () => {
    const now = new Date(notBefore.getTime() + 10 * 86_400_000)
    const facts = certificateFacts(evidence([ec]), 'www.ec.example', now)
    expect(facts).toMatchObject({
      subject: 'CN=ec.example',
      commonName: 'ec.example',
      sans: ['DNS:ec.example', 'DNS:*.ec.example'],
      issuer: 'CN=ec.example',
      daysRemaining: 80,
      lifetimeDays: 90,
      keyType: 'ec',
      keyBits: 256,
      keyCurve: 'prime256v1',
      signatureAlgorithm: 'ecdsa-with-SHA256',
      signatureHash: 'sha256',
      selfSigned: true,
      trusted: false,
      trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      chainComplete: null,
      hostnameMatch: true, // the wildcard SAN
      ocspUrl: 'http://ocsp.ec.example',
      ocspStapled: false,
    })
    expect(facts.notBefore).toBe(notBefore.toISOString())
    expect(facts.chain).toHaveLength(1)
    expect(facts.chain[0]).toMatchObject({ subject: 'CN=ec.example', selfSigned: true, signatureHash: 'sha256', keyBits: 256 })
  })

  it('matches names on subjectAltName only, and IPs against IP SANs', () => {
    const now = notBefore
    expect(certificateFacts(evidence([ec]), 'other.example', now).hostnameMatch).toBe(false)
    expect(certificateFacts(evidence([ec]), 'a.b.ec.example', now).hostnameMatch).toBe(false) // wildcards cover one label
    expect(certificateFacts(evidence([ec]), null, now).hostnameMatch).toBeNull()
    expect(certificateFacts(evidence([pem('ed25519.pem')]), '127.0.0.1', now).hostnameMatch).toBe(true)
    // CN=old.example with a SAN of old.example; the CN alone never counts.
    expect(certificateFacts(evidence([pem('rsa-pss-sha384.pem')]), 'pss.example', now).hostnameMatch).toBe(false)
  })

  it('reads weak keys and signatures', () => {
    const old = certificateFacts(evidence([pem('rsa1024-sha1.pem')]), 'old.example', notBefore)
    expect(old).toMatchObject({ keyType: 'rsa', keyBits: 1024, signatureHash: 'sha1', lifetimeDays: 3650 })
    expect(certificateFacts(evidence([pem('rsa-md5.pem')]), null, notBefore).signatureHash).toBe('md5')
    expect(certificateFacts(evidence([pem('ed25519.pem')]), null, notBefore)).toMatchObject({ keyType: 'ed25519', signatureHash: 'none' })
  })

  it('counts days to expiry from the scan clock, negative once expired', () => {
    const expiredAt = new Date(notBefore.getTime() + 100 * 86_400_000)
    expect(certificateFacts(evidence([ec]), null, expiredAt).daysRemaining).toBe(-10)
  })

  it('calls a chain complete only when the store added nothing but a self-signed root', () => {
    const [leaf, intermediate, root] = [pem('chain-leaf.pem'), pem('chain-intermediate.pem'), pem('chain-root.pem')]
    const trusted = { trusted: true, trustError: null, trustedBy: 'private' as const }
    const at = new Date(new X509Certificate(leaf).validFrom)
    // Server sends leaf + intermediate; verification adds the root.
    expect(certificateFacts(evidence([leaf, intermediate], { ...trusted, verified: [leaf, intermediate, root] }), 'chain.example', at).chainComplete).toBe(true)
    // Server sends the leaf alone; the intermediate came from the local store.
    const incomplete = certificateFacts(evidence([leaf], { ...trusted, verified: [leaf, intermediate, root] }), 'chain.example', at)
    expect(incomplete.chainComplete).toBe(false)
    expect(incomplete.chain.map((c) => c.subject)).toEqual(['CN=chain.example'])
    expect(incomplete.hostnameMatch).toBe(true)
    // Unknown when not trusted at all.
    expect(certificateFacts(evidence([leaf], { trusted: false, trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), null, at).chainComplete).toBeNull()
  })
})
