import { describe, expect, it } from 'vitest'
import { checkMozillaProfile, mozillaIntermediate, mozillaModern, type ProfileInput } from '../../../../agent/tls/mozilla-profile.js'
import { certificate, cipher } from './tls-facts-builders.js'

const intermediateServer: ProfileInput = {
  protocols: ['TLSv1.2', 'TLSv1.3'],
  ciphers: [cipher('TLSv1.3', 0x1301), cipher('TLSv1.3', 0x1303), cipher('TLSv1.2', 0xc02f), cipher('TLSv1.2', 0xcca8)],
  certificate: certificate(),
  minDhBits: null,
  minEcdhBits: 253,
}

describe('Mozilla Server Side TLS 6.0 profiles', () => {
  it('an intermediate configuration complies with intermediate, not with modern', () => {
    expect(checkMozillaProfile(mozillaIntermediate, intermediateServer)).toEqual({ compliant: true, differences: [] })
    const modern = checkMozillaProfile(mozillaModern, intermediateServer)
    expect(modern.compliant).toBe(false)
    expect(modern.differences).toEqual([
      'protocols TLSv1.2 enabled (modern allows TLSv1.3)',
      'certificate key type rsa (modern wants ec)',
      'certificate signature sha256WithRSAEncryption (modern allows ecdsa-with-SHA256, ecdsa-with-SHA384, ecdsa-with-SHA512)',
      'certificate lifespan 91 days (at most 90)',
    ])
  })

  it('expects OCSP stapling only from certificates that name a responder', () => {
    const withoutUrl = { ...intermediateServer, certificate: certificate({ ocspUrl: null, ocspStapled: false }) }
    expect(checkMozillaProfile(mozillaIntermediate, withoutUrl).compliant).toBe(true)
    const stapled = { ...intermediateServer, certificate: certificate({ ocspUrl: 'http://ocsp.example', ocspStapled: true }) }
    expect(checkMozillaProfile(mozillaIntermediate, stapled).compliant).toBe(true)
    const unknown = { ...intermediateServer, certificate: certificate({ ocspUrl: 'http://ocsp.example', ocspStapled: null }) }
    expect(checkMozillaProfile(mozillaIntermediate, unknown).compliant).toBe(true)
  })

  it('a TLS 1.3-only server with a P-256 certificate of 90 days is modern', () => {
    const server: ProfileInput = {
      ...intermediateServer,
      protocols: ['TLSv1.3'],
      ciphers: intermediateServer.ciphers.filter((c) => c.protocol === 'TLSv1.3'),
      certificate: certificate({ keyType: 'ec', keyBits: 256, signatureAlgorithm: 'ecdsa-with-SHA256', lifetimeDays: 90 }),
    }
    expect(checkMozillaProfile(mozillaModern, server).compliant).toBe(true)
  })

  it('lists each difference from intermediate', () => {
    const result = checkMozillaProfile(mozillaIntermediate, {
      protocols: ['TLSv1.1', 'TLSv1.2'],
      ciphers: [cipher('TLSv1.1', 0xc013), cipher('TLSv1.2', 0xc02f), cipher('TLSv1.2', 0x009c), cipher('TLSv1.2', 0x009e)],
      certificate: certificate({ keyBits: 1024, lifetimeDays: 400, trusted: false, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT', hostnameMatch: false, ocspUrl: 'http://ocsp.example', ocspStapled: false }),
      minDhBits: 1024,
      minEcdhBits: 224,
    })
    expect(result.compliant).toBe(false)
    expect(result.differences).toEqual([
      'protocols TLSv1.1 enabled (intermediate allows TLSv1.2, TLSv1.3)',
      'TLSv1.2 suites outside the profile: TLS_RSA_WITH_AES_128_GCM_SHA256, TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
      'RSA key of 1024 bits (at least 2048)',
      'certificate lifespan 400 days (at most 366)',
      'certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)',
      'certificate does not match the server name',
      'no OCSP response stapled although the certificate names a responder (http://ocsp.example)',
      'DH parameters of 1024 bits (at least 2048)',
      'ECDH group of 224 bits (at least 256)',
    ])
  })
})
