import { randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import { protocolWire, type ProtocolName } from './protocol-versions.js'
import { signatureAlgorithms } from './named-groups.js'

/**
 * Encodes a ClientHello record (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2) offering exactly
 * one protocol version and the given cipher suites, whatever the local OpenSSL can do:
 * the server's answer alone tells whether it accepts them, no key exchange is needed.
 */
export interface ClientHelloOptions {
  version: Exclude<ProtocolName, 'SSLv2'>
  cipherSuites: readonly number[]
  /** SNI host name (RFC 6066 §3); IP literals are never sent, as the RFC requires. */
  servername?: string | null
  /** supported_groups (RFC 8422 §5.1.1 / RFC 8446 §4.2.7). */
  groups: readonly number[]
  /** TLS 1.3 key shares (RFC 8446 §4.2.8): may be empty, then the server asks again (HRR). */
  keyShares?: readonly { group: number; key: Uint8Array }[]
  /** Fixed random and session id for byte-exact tests; random by default. */
  random?: Uint8Array
  sessionId?: Uint8Array
}

/** Extension codes (IANA "TLS ExtensionType Values"). */
export const extension = {
  serverName: 0,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  padding: 21,
  encryptThenMac: 22,
  extendedMasterSecret: 23,
  sessionTicket: 35,
  supportedVersions: 43,
  pskKeyExchangeModes: 45,
  keyShare: 51,
  renegotiationInfo: 0xff01,
} as const

const handshakeRecord = 0x16
const clientHelloType = 1
/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3): SSLv3 hellos carry no extensions. */
const emptyRenegotiationInfoScsv = 0x00ff

export function encodeClientHello(options: ClientHelloOptions): Buffer {
  if (options.cipherSuites.length === 0) throw new RangeError('a ClientHello needs at least one cipher suite')
  const tls13 = options.version === 'TLSv1.3'
  const random = options.random ?? randomBytes(32)
  if (random.length !== 32) throw new RangeError('the ClientHello random is 32 bytes')
  // TLS 1.3 hellos carry a 32-byte legacy session id for middlebox compatibility (RFC 8446 §D.4).
  const sessionId = options.sessionId ?? (tls13 ? randomBytes(32) : Buffer.alloc(0))
  const suites = options.version === 'SSLv3' ? [...options.cipherSuites, emptyRenegotiationInfoScsv] : options.cipherSuites

  const body = [
    u16(tls13 ? protocolWire['TLSv1.2'] : protocolWire[options.version]),
    Buffer.from(random),
    vector(1, Buffer.from(sessionId)),
    vector(2, Buffer.concat(suites.map(u16))),
    vector(1, Buffer.from([0])), // compression: null only (CRIME, RFC 7457 §2.6)
  ]
  if (options.version !== 'SSLv3') body.push(encodeExtensions(options, tls13, Buffer.concat(body).length))
  const hello = Buffer.concat(body)
  const handshake = Buffer.concat([Buffer.from([clientHelloType]), u24(hello.length), hello])
  // Record version 0x0301 for TLS (what every client sends, RFC 8446 §5.1), 0x0300 for SSLv3.
  const recordVersion = options.version === 'SSLv3' ? protocolWire.SSLv3 : protocolWire.TLSv1
  return Buffer.concat([Buffer.from([handshakeRecord]), u16(recordVersion), u16(handshake.length), handshake])
}

function encodeExtensions(options: ClientHelloOptions, tls13: boolean, bodyLength: number): Buffer {
  const extensions: Buffer[] = []
  const servername = options.servername
  if (servername && isIP(servername) === 0) {
    const name = Buffer.from(servername, 'ascii')
    extensions.push(ext(extension.serverName, vector(2, Buffer.concat([Buffer.from([0]), vector(2, name)]))))
  }
  extensions.push(ext(extension.supportedGroups, vector(2, Buffer.concat(options.groups.map(u16)))))
  extensions.push(ext(extension.ecPointFormats, vector(1, Buffer.from([0]))))
  extensions.push(ext(extension.signatureAlgorithms, vector(2, Buffer.concat(signatureAlgorithms.map(u16)))))
  extensions.push(ext(extension.renegotiationInfo, vector(1, Buffer.alloc(0))))
  extensions.push(ext(extension.extendedMasterSecret, Buffer.alloc(0)))
  extensions.push(ext(extension.sessionTicket, Buffer.alloc(0)))
  if (tls13) {
    extensions.push(ext(extension.supportedVersions, vector(1, u16(protocolWire['TLSv1.3']))))
    extensions.push(ext(extension.pskKeyExchangeModes, vector(1, Buffer.from([1]))))
    const shares = (options.keyShares ?? []).map((s) => Buffer.concat([u16(s.group), vector(2, Buffer.from(s.key))]))
    extensions.push(ext(extension.keyShare, vector(2, Buffer.concat(shares))))
  }
  // Some servers hang on hellos of 256–511 bytes (RFC 7685 §4); pad such hellos to 512.
  const handshakeLength = 4 + bodyLength + 2 + extensions.reduce((n, e) => n + e.length, 0)
  if (handshakeLength >= 256 && handshakeLength < 512) {
    const padding = Math.max(512 - handshakeLength - 4, 1)
    extensions.push(ext(extension.padding, Buffer.alloc(padding)))
  }
  return vector(2, Buffer.concat(extensions))
}

function ext(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), vector(2, data)])
}

export function u16(value: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(value)
  return b
}

function u24(value: number): Buffer {
  return Buffer.from([(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff])
}

/** A TLS vector: its length in `lengthBytes` big-endian bytes, then the data. */
export function vector(lengthBytes: 1 | 2 | 3, data: Buffer): Buffer {
  const max = 2 ** (8 * lengthBytes) - 1
  if (data.length > max) throw new RangeError(`vector of ${data.length} bytes exceeds ${max}`)
  const length = lengthBytes === 1 ? Buffer.from([data.length]) : lengthBytes === 2 ? u16(data.length) : u24(data.length)
  return Buffer.concat([length, data])
}
