import { describe, expect, it } from 'vitest'
import { gradeEndpoint, type GradeInput } from '../../../../agent/tls/grade.js'
import { certificate, cipher } from './tls-facts-builders.js'

const now = new Date('2026-10-01T00:00:00Z')
const hsts = { fieldCount: 1, value: 'max-age=31536000', valid: true, errors: [], maxAge: 31536000, includeSubDomains: false, preload: false, unknownDirectives: [] }
const modern = [cipher('TLSv1.3', 0x1301), cipher('TLSv1.3', 0x1302), cipher('TLSv1.2', 0xc02f), cipher('TLSv1.2', 0xc030)]

function input(overrides: Partial<GradeInput> = {}): GradeInput {
  return { protocols: ['TLSv1.2', 'TLSv1.3'], ciphers: modern, certificate: certificate(), minDhBits: null, secureRenegotiation: true, https: true, hsts, now, ...overrides }
}

describe('gradeEndpoint (SSL Labs 2009r)', () => {
  it('the reference worked example: TLS 1.2 + 1.3, RSA-2048, AES-128/256-GCM scores 93 and gets A+', () => {
    const grade = gradeEndpoint(input())
    expect(grade).toMatchObject({ grade: 'A+', gradeIgnoringTrust: 'A+', score: 93, protocolScore: 100, keyExchangeScore: 90, cipherScore: 90, caps: [], warnings: [] })
  })

  it('adding TLS 1.0 makes the protocol score 95 and caps at B', () => {
    const grade = gradeEndpoint(input({ protocols: ['TLSv1', 'TLSv1.2', 'TLSv1.3'], ciphers: [...modern, cipher('TLSv1', 0xc013)] }))
    expect(grade.protocolScore).toBe(95)
    expect(grade.score).toBe(91.5)
    expect(grade.grade).toBe('B')
    expect(grade.caps).toContainEqual({ grade: 'B', reason: 'TLS 1.0 offered' })
  })

  it.each<[string, Partial<GradeInput>, string, RegExp]>([
    ['no HSTS on an HTTPS endpoint', { hsts: null }, 'A-', /no HSTS header/],
    ['short HSTS', { hsts: { ...hsts, maxAge: 86400 } }, 'A-', /HSTS max-age 86400/],
    ['invalid HSTS', { hsts: { ...hsts, valid: false } }, 'A-', /HSTS header invalid/],
    ['no TLS 1.3', { protocols: ['TLSv1.2'], ciphers: modern.filter((c) => c.protocol === 'TLSv1.2') }, 'A-', /TLS 1.3 not offered/],
    ['no secure renegotiation', { secureRenegotiation: false }, 'A-', /renegotiation/],
  ])('warns (A-) on %s', (_name, overrides, expected, warning) => {
    const grade = gradeEndpoint(input(overrides))
    expect(grade.grade).toBe(expected)
    expect(grade.warnings.join('; ')).toMatch(warning)
  })

  it('does not grade HSTS on a non-HTTP service', () => {
    expect(gradeEndpoint(input({ https: false, hsts: null })).grade).toBe('A+')
  })

  it.each<[string, Partial<GradeInput>, string, RegExp]>([
    ['SSLv2', { protocols: ['SSLv2', 'TLSv1.2', 'TLSv1.3'] }, 'F', /SSLv2 offered/],
    ['SSLv3 only', { protocols: ['SSLv3'], ciphers: [cipher('SSLv3', 0x002f)] }, 'F', /SSLv3 is the best protocol/],
    ['an EXPORT suite', { ciphers: [...modern, cipher('TLSv1.2', 0x0003)] }, 'F', /EXPORT/],
    ['an anonymous suite', { ciphers: [...modern, cipher('TLSv1.2', 0xc018)] }, 'F', /anonymous/],
    ['a NULL suite', { ciphers: [...modern, cipher('TLSv1.2', 0x0002)] }, 'F', /under 112 bits: TLS_RSA_WITH_NULL_SHA/],
    ['an RSA-512 key', { certificate: certificate({ keyBits: 512 }) }, 'F', /certificate key of 512 bits/],
    ['DH-768 parameters', { minDhBits: 768 }, 'F', /DH parameters of 768 bits/],
    ['RC4 only', { protocols: ['TLSv1'], ciphers: [cipher('TLSv1', 0x0005)] }, 'F', /only RC4/],
    ['an MD5-signed certificate', { certificate: certificate({ signatureAlgorithm: 'md5WithRSAEncryption', signatureHash: 'md5', chain: [{ ...certificate().chain[0]!, signatureAlgorithm: 'md5WithRSAEncryption', signatureHash: 'md5' }] }) }, 'F', /md5WithRSAEncryption/],
    ['3DES with TLS 1.2', { ciphers: [...modern, cipher('TLSv1.2', 0x000a)] }, 'C', /SWEET32.*TLS_RSA_WITH_3DES_EDE_CBC_SHA/],
    ['RC4 with TLS 1.2', { ciphers: [...modern, cipher('TLSv1.2', 0xc011)] }, 'C', /RC4 with TLS 1.1/],
    ['no TLS 1.2 or 1.3', { protocols: ['TLSv1', 'TLSv1.1'], ciphers: [cipher('TLSv1', 0xc013), cipher('TLSv1.1', 0xc013)] }, 'C', /neither TLS 1.2 nor TLS 1.3/],
    ['TLS 1.1', { protocols: ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'] }, 'B', /TLS 1.1 offered/],
    ['static RSA only', { protocols: ['TLSv1.2'], ciphers: [cipher('TLSv1.2', 0x009c), cipher('TLSv1.2', 0x009d)] }, 'B', /no forward secrecy/],
    ['no AEAD suite', { protocols: ['TLSv1.2'], ciphers: [cipher('TLSv1.2', 0xc013), cipher('TLSv1.2', 0xc014)] }, 'B', /no AEAD/],
    ['an RSA-1024 key', { certificate: certificate({ keyBits: 1024 }) }, 'B', /certificate key of 1024 bits/],
    ['DH-1024 parameters', { minDhBits: 1024 }, 'B', /DH parameters of 1024 bits/],
    ['an incomplete chain', { certificate: certificate({ chainComplete: false }) }, 'B', /incomplete certificate chain/],
  ])('caps %s', (_name, overrides, expected, reason) => {
    const grade = gradeEndpoint(input(overrides))
    expect(grade.grade).toBe(expected)
    expect(grade.caps.map((c) => `${c.grade}: ${c.reason}`).join('; ')).toMatch(reason)
  })

  it('keeps the lowest cap', () => {
    const grade = gradeEndpoint(input({ protocols: ['TLSv1', 'TLSv1.2', 'TLSv1.3'], ciphers: [...modern, cipher('TLSv1.2', 0x000a)] }))
    expect(grade.grade).toBe('C')
  })

  it.each<[string, Partial<GradeInput>, string, RegExp]>([
    ['a self-signed certificate', { certificate: certificate({ selfSigned: true, trusted: false, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT', trustedBy: null }) }, 'T', /self-signed/],
    ['an untrusted issuer', { certificate: certificate({ trusted: false, trustError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', trustedBy: null }) }, 'T', /UNABLE_TO_GET_ISSUER_CERT_LOCALLY/],
    ['an expired certificate', { now: new Date('2027-01-01T00:00:00Z') }, 'T', /expired/],
    ['a SHA-1 signed certificate', { certificate: certificate({ signatureHash: 'sha1', signatureAlgorithm: 'sha1WithRSAEncryption' }) }, 'T', /SHA-1/],
    ['a name mismatch', { certificate: certificate({ hostnameMatch: false }) }, 'M', /mismatch/],
  ])('gives %s its own letter, keeping the grade underneath', (_name, overrides, expected, reason) => {
    const grade = gradeEndpoint(input(overrides))
    expect(grade.grade).toBe(expected)
    expect(grade.gradeIgnoringTrust).toBe('A+')
    expect(grade.caps.map((c) => c.reason).join('; ')).toMatch(reason)
  })

  it('T wins over M', () => {
    expect(gradeEndpoint(input({ certificate: certificate({ selfSigned: true, trusted: false, hostnameMatch: false }) })).grade).toBe('T')
  })

  it('scores EC keys on the EC scale: P-256 is worth 100', () => {
    const grade = gradeEndpoint(input({ certificate: certificate({ keyType: 'ec', keyBits: 256, keyCurve: 'prime256v1' }) }))
    expect(grade.keyExchangeScore).toBe(100)
    expect(grade.score).toBe(96)
  })

  it('takes the weaker of key and DH parameters', () => {
    expect(gradeEndpoint(input({ certificate: certificate({ keyBits: 4096 }), minDhBits: 2048 })).keyExchangeScore).toBe(90)
  })
})
