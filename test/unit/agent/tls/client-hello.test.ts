import { describe, expect, it } from 'vitest'
import { encodeClientHello, extension } from '../../../../agent/tls/client-hello.js'
import { legacySuiteCodes } from '../../../../agent/tls/cipher-suites.js'
import { readHexFixture } from './hex-fixture.js'

/** Reads a ClientHello record back field by field (RFC 5246 §7.4.1.2), independently of the encoder. */
function readHello(record: Buffer) {
  expect(record[0]).toBe(0x16)
  const recordVersion = record.readUInt16BE(1)
  expect(record.readUInt16BE(3)).toBe(record.length - 5)
  const hs = record.subarray(5)
  expect(hs[0]).toBe(1)
  expect(hs.readUIntBE(1, 3)).toBe(hs.length - 4)
  const body = hs.subarray(4)
  const version = body.readUInt16BE(0)
  const random = body.subarray(2, 34)
  const sidLength = body[34]!
  const sessionId = body.subarray(35, 35 + sidLength)
  let o = 35 + sidLength
  const suitesLength = body.readUInt16BE(o)
  const suites: number[] = []
  for (let i = 0; i < suitesLength; i += 2) suites.push(body.readUInt16BE(o + 2 + i))
  o += 2 + suitesLength
  const compression = [...body.subarray(o + 1, o + 1 + body[o]!)]
  o += 1 + body[o]!
  const extensions = new Map<number, Buffer>()
  if (o < body.length) {
    const end = o + 2 + body.readUInt16BE(o)
    expect(end).toBe(body.length)
    o += 2
    while (o < end) {
      const type = body.readUInt16BE(o)
      const length = body.readUInt16BE(o + 2)
      extensions.set(type, body.subarray(o + 4, o + 4 + length))
      o += 4 + length
    }
  }
  return { recordVersion, version, random, sessionId, suites, compression, extensions, handshakeLength: hs.length }
}

const random = Buffer.alloc(32, 0xab)

describe('encodeClientHello', () => {
  it('encodes a TLS 1.2 hello byte for byte (golden bytes that openssl s_server answered)', () => {
    const hello = encodeClientHello({ version: 'TLSv1.2', cipherSuites: [0xc02f, 0x009c], groups: [0x001d, 0x0017], servername: 'a.example', random })
    expect(hello.toString('hex')).toBe(readHexFixture('client-hello-tls12.hex').toString('hex'))
    const parsed = readHello(hello)
    expect(parsed.recordVersion).toBe(0x0301)
    expect(parsed.version).toBe(0x0303)
    expect(parsed.random.equals(random)).toBe(true)
    expect(parsed.sessionId.length).toBe(0)
    expect(parsed.suites).toEqual([0xc02f, 0x009c])
    expect(parsed.compression).toEqual([0])
    // SNI: list<2> of { type 0 host_name, name<2> } (RFC 6066 §3).
    expect(parsed.extensions.get(extension.serverName)!.toString('hex')).toBe('000c' + '00' + '0009' + Buffer.from('a.example').toString('hex'))
    expect(parsed.extensions.get(extension.supportedGroups)!.toString('hex')).toBe('0004001d0017')
    expect(parsed.extensions.get(extension.ecPointFormats)!.toString('hex')).toBe('0100')
    expect(parsed.extensions.get(extension.renegotiationInfo)!.toString('hex')).toBe('00')
    expect(parsed.extensions.has(extension.supportedVersions)).toBe(false)
    expect(parsed.extensions.has(extension.keyShare)).toBe(false)
    const sigalgs = parsed.extensions.get(extension.signatureAlgorithms)!
    expect(sigalgs.readUInt16BE(0)).toBe(sigalgs.length - 2)
    expect(sigalgs.subarray(2, 4).toString('hex')).toBe('0403')
  })

  it('is deterministic given random and session id', () => {
    const options = { version: 'TLSv1.3' as const, cipherSuites: [0x1301], groups: [0x001d], keyShares: [{ group: 0x001d, key: Buffer.alloc(32, 9) }], random, sessionId: Buffer.alloc(32, 1) }
    expect(encodeClientHello(options).equals(encodeClientHello(options))).toBe(true)
  })

  it('offers TLS 1.3 through supported_versions with a key share and a legacy session id', () => {
    const key = Buffer.alloc(32, 9)
    const parsed = readHello(encodeClientHello({ version: 'TLSv1.3', cipherSuites: [0x1301, 0x1302], groups: [0x001d, 0x0017], keyShares: [{ group: 0x001d, key }], random }))
    expect(parsed.version).toBe(0x0303) // legacy_version (RFC 8446 §4.1.2)
    expect(parsed.sessionId.length).toBe(32)
    expect(parsed.extensions.get(extension.supportedVersions)!.toString('hex')).toBe('020304')
    expect(parsed.extensions.get(extension.pskKeyExchangeModes)!.toString('hex')).toBe('0101')
    expect(parsed.extensions.get(extension.keyShare)!.toString('hex')).toBe('0024' + '001d' + '0020' + key.toString('hex'))
  })

  it('sends an empty key_share list when asked (the server answers with a HelloRetryRequest)', () => {
    const parsed = readHello(encodeClientHello({ version: 'TLSv1.3', cipherSuites: [0x1301], groups: [0x0017], keyShares: [], random }))
    expect(parsed.extensions.get(extension.keyShare)!.toString('hex')).toBe('0000')
  })

  it('writes SSLv3 hellos without extensions, with the renegotiation SCSV instead', () => {
    const hello = encodeClientHello({ version: 'SSLv3', cipherSuites: [0x000a], groups: [0x0017], servername: 'a.example', random })
    const parsed = readHello(hello)
    expect(parsed.recordVersion).toBe(0x0300)
    expect(parsed.version).toBe(0x0300)
    expect(parsed.suites).toEqual([0x000a, 0x00ff])
    expect(parsed.extensions.size).toBe(0)
  })

  it('offers TLS 1.0 and 1.1 by client_version', () => {
    expect(readHello(encodeClientHello({ version: 'TLSv1', cipherSuites: [0x002f], groups: [], random })).version).toBe(0x0301)
    expect(readHello(encodeClientHello({ version: 'TLSv1.1', cipherSuites: [0x002f], groups: [], random })).version).toBe(0x0302)
  })

  it('never sends an IP literal as SNI (RFC 6066 §3)', () => {
    for (const servername of ['127.0.0.1', '::1']) {
      const parsed = readHello(encodeClientHello({ version: 'TLSv1.2', cipherSuites: [0x002f], groups: [], servername, random }))
      expect(parsed.extensions.has(extension.serverName)).toBe(false)
    }
  })

  it('pads hellos of 256–511 bytes to at least 512 (RFC 7685 §4)', () => {
    for (let n = 1; n < 120; n++) {
      const parsed = readHello(encodeClientHello({ version: 'TLSv1.2', cipherSuites: legacySuiteCodes.slice(0, n), groups: [0x0017], random }))
      expect(parsed.handshakeLength < 256 || parsed.handshakeLength >= 512, `${n} suites → ${parsed.handshakeLength} bytes`).toBe(true)
    }
  })

  it('offers the whole registry in one hello', () => {
    const parsed = readHello(encodeClientHello({ version: 'TLSv1.2', cipherSuites: legacySuiteCodes, groups: [0x0017], random }))
    expect(parsed.suites.length).toBe(legacySuiteCodes.length)
    expect(parsed.suites).toContain(0x000a) // 3DES
    expect(parsed.suites).toContain(0x0003) // EXPORT RC4-40
  })

  it('refuses an empty suite list and a random of the wrong size', () => {
    expect(() => encodeClientHello({ version: 'TLSv1.2', cipherSuites: [], groups: [] })).toThrow(RangeError)
    expect(() => encodeClientHello({ version: 'TLSv1.2', cipherSuites: [1], groups: [], random: Buffer.alloc(31) })).toThrow(RangeError)
  })
})
