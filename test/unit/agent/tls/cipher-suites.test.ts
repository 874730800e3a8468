import { describe, expect, it } from 'vitest'
import { cipherSuiteNames } from '../../../../agent/tls/cipher-suite-registry.js'
import { describeSuite, describeSuiteName, legacySuiteCodes, tls13SuiteCodes } from '../../../../agent/tls/cipher-suites.js'

describe('cipher suite registry', () => {
  it('parses every registered name', () => {
    const unparsed = [...cipherSuiteNames].filter(([code, name]) => describeSuiteName(code, name) === null).map(([, name]) => name)
    expect(unparsed).toEqual([])
    expect(cipherSuiteNames.size).toBeGreaterThan(320)
  })

  it('splits suites into the five TLS 1.3 ones and the rest', () => {
    expect(tls13SuiteCodes).toEqual([0x1301, 0x1302, 0x1303, 0x1304, 0x1305])
    expect(legacySuiteCodes).not.toContain(0x1301)
    expect(legacySuiteCodes).toContain(0xc02f)
  })

  it.each([
    [0xc02f, { name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', kx: 'ECDHE', au: 'RSA', enc: 'AES', mode: 'GCM', bits: 128, aead: true, export: false }],
    [0x009c, { name: 'TLS_RSA_WITH_AES_128_GCM_SHA256', kx: 'RSA', au: 'RSA', bits: 128, aead: true }],
    [0x000a, { name: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', kx: 'RSA', enc: '3DES', mode: 'CBC', bits: 112, mac: 'SHA', aead: false }],
    [0x0005, { name: 'TLS_RSA_WITH_RC4_128_SHA', enc: 'RC4', bits: 128 }],
    [0x0003, { name: 'TLS_RSA_EXPORT_WITH_RC4_40_MD5', kx: 'RSA', enc: 'RC4', bits: 40, export: true, mac: 'MD5' }],
    [0x0062, { name: 'TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA', enc: 'DES', bits: 56, export: true }],
    [0x0014, { name: 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', kx: 'DHE', enc: 'DES', bits: 40, export: true }],
    [0x0034, { name: 'TLS_DH_anon_WITH_AES_128_CBC_SHA', kx: 'DHE', au: 'anon' }],
    [0xc018, { name: 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA', kx: 'ECDHE', au: 'anon' }],
    [0x0002, { name: 'TLS_RSA_WITH_NULL_SHA', enc: 'NULL', bits: 0 }],
    [0xc00e, { name: 'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA', kx: 'ECDH', au: 'RSA' }],
    [0xcca9, { name: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', kx: 'ECDHE', au: 'ECDSA', enc: 'CHACHA20', bits: 256, aead: true }],
    [0xc0aa, { name: 'TLS_PSK_DHE_WITH_AES_128_CCM_8', kx: 'DHE_PSK', mode: 'CCM8', aead: true }],
    [0x1302, { name: 'TLS_AES_256_GCM_SHA384', kx: 'TLS13', bits: 256, aead: true, tls13: true }],
    [0x1305, { name: 'TLS_AES_128_CCM_8_SHA256', mode: 'CCM8', tls13: true }],
  ])('0x%s', (code, expected) => {
    expect(describeSuite(code)).toMatchObject(expected)
  })

  it('names unknown codes instead of dropping them', () => {
    expect(describeSuite(0xfefe)).toMatchObject({ name: 'UNKNOWN_0xfefe', bits: 0 })
  })
})
