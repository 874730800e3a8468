import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { certificateSignatureAlgorithm, decodeOid } from '../../../../agent/tls/signature-algorithm.js'

const cert = (name: string) => new X509Certificate(readFileSync(fileURLToPath(new URL(`../../../fixtures/tls/certs/${name}`, import.meta.url))))

describe('certificateSignatureAlgorithm', () => {
  it.each([
    ['ec-p256-sha256.pem', 'ecdsa-with-SHA256', 'sha256'],
    ['rsa1024-sha1.pem', 'sha1WithRSAEncryption', 'sha1'],
    ['rsa-md5.pem', 'md5WithRSAEncryption', 'md5'],
    ['ed25519.pem', 'ED25519', 'none'],
    ['rsa-pss-sha384.pem', 'rsassaPss', 'sha384'],
  ])('%s is signed %s', (file, name, hash) => {
    expect(certificateSignatureAlgorithm(cert(file).raw)).toEqual({ name, hash })
  })

  it('decodes OIDs', () => {
    expect(decodeOid(Buffer.from('2a864886f70d01010b', 'hex'))).toBe('1.2.840.113549.1.1.11')
    expect(decodeOid(Buffer.from('2b6570', 'hex'))).toBe('1.3.101.112')
  })

  it('refuses what is not a certificate', () => {
    expect(() => certificateSignatureAlgorithm(Buffer.from('0203010001', 'hex'))).toThrow(RangeError)
    expect(() => certificateSignatureAlgorithm(Buffer.from('3005', 'hex'))).toThrow(RangeError)
  })
})
