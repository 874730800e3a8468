import { describe, expect, it } from 'vitest'
import { decodeSslv2ServerHello, describeSslv2Cipher, encodeSslv2ClientHello } from '../../../../agent/tls/sslv2.js'
import { decodeServerFlight } from '../../../../agent/tls/server-flight.js'

/** A SERVER-HELLO as the SSL 2.0 specification lays it out (no server speaks it here to capture). */
function serverHello(certificate: Buffer, specs: number[], connectionId = Buffer.alloc(16, 7)): Buffer {
  const specBytes = Buffer.concat(specs.map((s) => Buffer.from([s >> 16, (s >> 8) & 0xff, s & 0xff])))
  const fixed = Buffer.alloc(11)
  fixed[0] = 4 // SERVER-HELLO
  fixed[1] = 0 // session id hit
  fixed[2] = 1 // SSL_CT_X509_CERTIFICATE
  fixed.writeUInt16BE(0x0002, 3)
  fixed.writeUInt16BE(certificate.length, 5)
  fixed.writeUInt16BE(specBytes.length, 7)
  fixed.writeUInt16BE(connectionId.length, 9)
  const message = Buffer.concat([fixed, certificate, specBytes, connectionId])
  return Buffer.concat([Buffer.from([0x80 | (message.length >> 8), message.length & 0xff]), message])
}

describe('SSL 2.0 hellos', () => {
  it('encodes a CLIENT-HELLO offering every SSLv2 cipher with a 16-byte challenge', () => {
    const hello = encodeSslv2ClientHello(Buffer.alloc(16, 0x33))
    expect(hello.toString('hex')).toBe(
      '8031' + '01' + '0002' + '0018' + '0000' + '0010' +
        '010080' + '020080' + '030080' + '040080' + '050080' + '060040' + '0700c0' + '080080' + '33'.repeat(16),
    )
  })

  it('decodes a SERVER-HELLO: version, cipher specs, certificate', () => {
    const cert = Buffer.from('3082000a', 'hex')
    const bytes = serverHello(cert, [0x010080, 0x0700c0])
    expect(decodeSslv2ServerHello(bytes)).toEqual({ version: 2, cipherSpecs: [0x010080, 0x0700c0], certificate: cert })
    expect(decodeServerFlight(bytes)).toMatchObject({ kind: 'sslv2', hello: { cipherSpecs: [0x010080, 0x0700c0] } })
  })

  it('waits for the rest of a split SERVER-HELLO and refuses other messages', () => {
    const bytes = serverHello(Buffer.alloc(10), [0x010080])
    expect(decodeSslv2ServerHello(bytes.subarray(0, 1))).toBe('incomplete')
    expect(decodeSslv2ServerHello(bytes.subarray(0, 20))).toBe('incomplete')
    expect(decodeSslv2ServerHello(Buffer.from('8003050000', 'hex'))).toBeNull() // not SERVER-HELLO
    expect(decodeSslv2ServerHello(Buffer.from('160301', 'hex'))).toBeNull()
  })

  it('names the ciphers', () => {
    expect(describeSslv2Cipher(0x020080)).toMatchObject({ name: 'SSL_CK_RC4_128_EXPORT40_WITH_MD5', bits: 40, export: true })
    expect(describeSslv2Cipher(0x0700c0)).toMatchObject({ enc: '3DES', bits: 112 })
  })
})
