import { randomBytes } from 'node:crypto'

/**
 * SSL 2.0 hellos (draft-hickman-netscape-ssl-00, the "SSL 2.0 Protocol Specification";
 * prohibited by RFC 6176). Servers that still answer one are DROWN-vulnerable, so the
 * mere SERVER-HELLO is the finding.
 */
export interface Sslv2Cipher {
  code: number
  name: string
  bits: number
  enc: string
  export: boolean
}

export const sslv2Ciphers: readonly Sslv2Cipher[] = [
  { code: 0x010080, name: 'SSL_CK_RC4_128_WITH_MD5', bits: 128, enc: 'RC4', export: false },
  { code: 0x020080, name: 'SSL_CK_RC4_128_EXPORT40_WITH_MD5', bits: 40, enc: 'RC4', export: true },
  { code: 0x030080, name: 'SSL_CK_RC2_128_CBC_WITH_MD5', bits: 128, enc: 'RC2', export: false },
  { code: 0x040080, name: 'SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5', bits: 40, enc: 'RC2', export: true },
  { code: 0x050080, name: 'SSL_CK_IDEA_128_CBC_WITH_MD5', bits: 128, enc: 'IDEA', export: false },
  { code: 0x060040, name: 'SSL_CK_DES_64_CBC_WITH_MD5', bits: 56, enc: 'DES', export: false },
  { code: 0x0700c0, name: 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5', bits: 112, enc: '3DES', export: false },
  { code: 0x080080, name: 'SSL_CK_RC4_64_WITH_MD5', bits: 64, enc: 'RC4', export: false },
]

export interface Sslv2ServerHello {
  version: number
  cipherSpecs: number[]
  /** The server certificate (DER), when it sent an X.509 one. */
  certificate: Buffer | null
}

const clientHelloType = 1
const serverHelloType = 4

/** CLIENT-HELLO with a 2-byte record header, version 0x0002 and a 16-byte challenge. */
export function encodeSslv2ClientHello(challenge: Uint8Array = randomBytes(16)): Buffer {
  const specs = Buffer.concat(sslv2Ciphers.map((c) => Buffer.from([(c.code >> 16) & 0xff, (c.code >> 8) & 0xff, c.code & 0xff])))
  const body = Buffer.alloc(9)
  body[0] = clientHelloType
  body.writeUInt16BE(0x0002, 1)
  body.writeUInt16BE(specs.length, 3)
  body.writeUInt16BE(0, 5) // session id length
  body.writeUInt16BE(challenge.length, 7)
  const message = Buffer.concat([body, specs, Buffer.from(challenge)])
  const header = Buffer.from([0x80 | (message.length >> 8), message.length & 0xff])
  return Buffer.concat([header, message])
}

/**
 * A SERVER-HELLO, `'incomplete'` when more bytes are needed, or null when the bytes are
 * not one (a 2-byte header has its high bit set; the message type is 4).
 */
export function decodeSslv2ServerHello(data: Buffer): Sslv2ServerHello | 'incomplete' | null {
  if (data.length < 2) return 'incomplete'
  if (!(data[0]! & 0x80)) return null
  const length = ((data[0]! & 0x7f) << 8) | data[1]!
  if (data.length < 3) return 'incomplete'
  if (data[2] !== serverHelloType) return null
  if (length < 11) return null
  if (data.length < 2 + length) return 'incomplete'
  const message = data.subarray(2, 2 + length)
  const certificateType = message[2]!
  const version = message.readUInt16BE(3)
  const certificateLength = message.readUInt16BE(5)
  const specsLength = message.readUInt16BE(7)
  const connectionIdLength = message.readUInt16BE(9)
  if (11 + certificateLength + specsLength + connectionIdLength > message.length || specsLength % 3 !== 0) return null
  const certificate = message.subarray(11, 11 + certificateLength)
  const specs = message.subarray(11 + certificateLength, 11 + certificateLength + specsLength)
  const cipherSpecs: number[] = []
  for (let i = 0; i < specs.length; i += 3) cipherSpecs.push((specs[i]! << 16) | (specs[i + 1]! << 8) | specs[i + 2]!)
  // Certificate type 1 is SSL_CT_X509_CERTIFICATE.
  return { version, cipherSpecs, certificate: certificateType === 1 && certificate.length > 0 ? Buffer.from(certificate) : null }
}

export function describeSslv2Cipher(code: number): Sslv2Cipher {
  return sslv2Ciphers.find((c) => c.code === code) ?? { code, name: `SSL_CK_0x${code.toString(16).padStart(6, '0')}`, bits: 0, enc: 'UNKNOWN', export: false }
}
