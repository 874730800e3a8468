import { extension } from './client-hello.js'
import { protocolFromWire, type ProtocolName } from './protocol-versions.js'
import { decodeSslv2ServerHello, type Sslv2ServerHello } from './sslv2.js'

/**
 * Decodes what a server sends back to a ClientHello, from raw bytes: a ServerHello (with
 * the chosen version and suite, and for TLS ≤ 1.2 the plaintext Certificate and
 * ServerKeyExchange that follow it), an alert, an SSLv2 SERVER-HELLO, or something that is
 * not TLS at all. Pure: fed the bytes received so far, it says whether more are needed.
 */
export type ServerFlight =
  | { kind: 'incomplete' }
  | ServerHelloFlight
  | { kind: 'alert'; level: number; description: number; name: string }
  | { kind: 'sslv2'; hello: Sslv2ServerHello }
  | { kind: 'not-tls'; reason: string }

export interface ServerHelloFlight {
  kind: 'server-hello'
  /** The version the server chose: supported_versions when present (RFC 8446 §4.2.1), else legacy_version. */
  version: ProtocolName | null
  versionWire: number
  cipherSuite: number
  compression: number
  /** RFC 8446 §4.1.3: a ServerHello with this special random is a HelloRetryRequest. */
  helloRetryRequest: boolean
  /** TLS 1.3: the group of the server's key share, or the one a HelloRetryRequest asks for. */
  keyShareGroup: number | null
  /** The server echoed renegotiation_info (RFC 5746): it supports secure renegotiation. */
  secureRenegotiation: boolean
  extensions: number[]
  /** TLS ≤ 1.2: the DER certificates of the Certificate message, as sent. */
  certificates: Buffer[] | null
  /** TLS ≤ 1.2: the ServerKeyExchange body, when one was sent. */
  serverKeyExchange: Buffer | null
  /** The server's first flight ended (ServerHelloDone, or a TLS 1.3 / HRR ServerHello). */
  complete: boolean
}

const contentType = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const
const handshakeType = { serverHello: 2, certificate: 11, serverKeyExchange: 12, certificateRequest: 13, serverHelloDone: 14 } as const

/** SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3. */
const helloRetryRandom = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex')

/** Alert descriptions (RFC 8446 §6, RFC 5246 §7.2). */
export const alertNames: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  22: 'record_overflow',
  40: 'handshake_failure',
  42: 'bad_certificate',
  47: 'illegal_parameter',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  120: 'no_application_protocol',
}

/** Decodes the bytes received so far. `ended`: the peer closed, no more will come. */
export function decodeServerFlight(data: Buffer, ended = false): ServerFlight {
  if (data.length === 0) return { kind: 'incomplete' }
  const first = data[0]!
  if (first & 0x80) {
    const v2 = decodeSslv2ServerHello(data)
    if (v2 === 'incomplete') return ended ? notTls(data, 'truncated SSLv2 record') : { kind: 'incomplete' }
    if (v2) return { kind: 'sslv2', hello: v2 }
    return notTls(data, 'not a TLS record')
  }
  if (first < contentType.changeCipherSpec || first > contentType.applicationData) return notTls(data, 'not a TLS record')
  if (data.length >= 2 && data[1] !== 3) return notTls(data, 'not a TLS record version')

  const handshake: Buffer[] = []
  let offset = 0
  let hello: ServerHelloFlight | null = null
  for (;;) {
    if (data.length - offset < 5) break
    const type = data[offset]!
    if (data[offset + 1] !== 3) return notTls(data, 'not a TLS record version')
    const length = data.readUInt16BE(offset + 3)
    if (length > 16_384 + 2048) return notTls(data, `record of ${length} bytes exceeds the TLS limit`)
    if (data.length - offset - 5 < length) break
    const fragment = data.subarray(offset + 5, offset + 5 + length)
    offset += 5 + length
    if (type === contentType.alert) {
      if (hello) return hello
      if (fragment.length < 2) return notTls(data, 'truncated alert')
      const description = fragment[1]!
      return { kind: 'alert', level: fragment[0]!, description, name: alertNames[description] ?? `alert_${description}` }
    }
    if (type !== contentType.handshake) {
      // TLS 1.3 servers send ChangeCipherSpec / encrypted records after the ServerHello.
      if (hello) return { ...hello, complete: true }
      return notTls(data, `unexpected record type ${type} before the ServerHello`)
    }
    handshake.push(fragment)
    const parsed = parseHandshakeMessages(Buffer.concat(handshake))
    if (parsed === 'malformed') return notTls(data, 'malformed handshake message')
    hello = parsed
    if (hello?.complete) return hello
  }
  if (hello && ended) return hello
  if (ended) return notTls(data, 'the connection closed before a complete TLS record')
  return { kind: 'incomplete' }
}

/** The ServerHello and what follows it, from the concatenated handshake stream. */
function parseHandshakeMessages(stream: Buffer): ServerHelloFlight | null | 'malformed' {
  let offset = 0
  let hello: ServerHelloFlight | null = null
  while (stream.length - offset >= 4) {
    const type = stream[offset]!
    const length = stream.readUIntBE(offset + 1, 3)
    if (stream.length - offset - 4 < length) break
    const body = stream.subarray(offset + 4, offset + 4 + length)
    offset += 4 + length
    if (!hello) {
      if (type !== handshakeType.serverHello) return 'malformed'
      const decoded = decodeServerHello(body)
      if (!decoded) return 'malformed'
      hello = decoded
      // TLS 1.3 (and any HRR): everything after the ServerHello is encrypted.
      if (hello.helloRetryRequest || hello.version === 'TLSv1.3') return { ...hello, complete: true }
      continue
    }
    if (type === handshakeType.certificate) hello.certificates = decodeCertificateList(body)
    else if (type === handshakeType.serverKeyExchange) hello.serverKeyExchange = Buffer.from(body)
    else if (type === handshakeType.serverHelloDone) return { ...hello, complete: true }
  }
  return hello
}

/** ServerHello body (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3); null when malformed. */
export function decodeServerHello(body: Buffer): ServerHelloFlight | null {
  if (body.length < 38) return null
  const legacyVersion = body.readUInt16BE(0)
  const random = body.subarray(2, 34)
  const sessionIdLength = body[34]!
  let offset = 35 + sessionIdLength
  if (body.length < offset + 3) return null
  const cipherSuite = body.readUInt16BE(offset)
  const compression = body[offset + 2]!
  offset += 3
  let versionWire = legacyVersion
  let keyShareGroup: number | null = null
  let secureRenegotiation = false
  const extensions: number[] = []
  const helloRetryRequest = random.equals(helloRetryRandom)
  if (body.length >= offset + 2) {
    const end = offset + 2 + body.readUInt16BE(offset)
    if (end > body.length) return null
    offset += 2
    while (offset + 4 <= end) {
      const type = body.readUInt16BE(offset)
      const length = body.readUInt16BE(offset + 2)
      const data = body.subarray(offset + 4, offset + 4 + length)
      if (data.length !== length) return null
      offset += 4 + length
      extensions.push(type)
      if (type === extension.supportedVersions && length === 2) versionWire = data.readUInt16BE(0)
      // ServerHello key_share: group + key; HelloRetryRequest: the selected group alone.
      if (type === extension.keyShare && length >= 2) keyShareGroup = data.readUInt16BE(0)
      if (type === extension.renegotiationInfo) secureRenegotiation = true
    }
  }
  return {
    kind: 'server-hello',
    version: protocolFromWire(versionWire),
    versionWire,
    cipherSuite,
    compression,
    helloRetryRequest,
    keyShareGroup,
    secureRenegotiation,
    extensions,
    certificates: null,
    serverKeyExchange: null,
    complete: false,
  }
}

/** Certificate message (RFC 5246 §7.4.2): a 24-bit list of 24-bit DER certificates. */
export function decodeCertificateList(body: Buffer): Buffer[] | null {
  if (body.length < 3) return null
  const total = body.readUIntBE(0, 3)
  if (total + 3 > body.length) return null
  const certificates: Buffer[] = []
  let offset = 3
  while (offset + 3 <= 3 + total) {
    const length = body.readUIntBE(offset, 3)
    const der = body.subarray(offset + 3, offset + 3 + length)
    if (der.length !== length) return null
    certificates.push(Buffer.from(der))
    offset += 3 + length
  }
  return certificates
}

function notTls(data: Buffer, reason: string): { kind: 'not-tls'; reason: string } {
  return { kind: 'not-tls', reason: `${reason}; it sent ${describeBytes(data)}` }
}

/** The first bytes a peer sent, readable: printable text quoted, otherwise hex. */
export function describeBytes(data: Buffer): string {
  const text = data.subarray(0, 80).toString('latin1')
  if (/^[\x20-\x7e\r\n\t]+$/.test(text)) return JSON.stringify(text.replace(/\r?\n.*$/s, '').slice(0, 60))
  const head = data.subarray(0, 24)
  return `0x${head.toString('hex')}${data.length > head.length ? '…' : ''}`
}
