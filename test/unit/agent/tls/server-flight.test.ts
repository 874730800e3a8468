import { X509Certificate } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeServerFlight, describeBytes, type ServerFlight } from '../../../../agent/tls/server-flight.js'
import { decodeServerKeyExchange, bitLength } from '../../../../agent/tls/server-key-exchange.js'
import { readHexFixture } from './hex-fixture.js'

function serverHello(flight: ServerFlight) {
  if (flight.kind !== 'server-hello') throw new Error(`expected a ServerHello, got ${flight.kind}`)
  return flight
}

describe('decodeServerFlight on captured server answers', () => {
  it('openssl s_server, TLS 1.2 ECDHE-RSA: ServerHello, Certificate (leaf + intermediate), ServerKeyExchange, ServerHelloDone', () => {
    const flight = serverHello(decodeServerFlight(readHexFixture('openssl-tls12-ecdhe-rsa.hex')))
    expect(flight.version).toBe('TLSv1.2')
    expect(flight.cipherSuite).toBe(0xc02f)
    expect(flight.compression).toBe(0)
    expect(flight.helloRetryRequest).toBe(false)
    expect(flight.secureRenegotiation).toBe(true)
    expect(flight.complete).toBe(true)
    expect(flight.certificates).toHaveLength(2)
    const [leaf, intermediate] = flight.certificates!.map((der) => new X509Certificate(der))
    expect(leaf!.subject).toBe('CN=localhost')
    expect(intermediate!.subject).toBe('CN=Int')
    expect(decodeServerKeyExchange('ECDHE', flight.serverKeyExchange!)).toEqual({ type: 'ECDH', group: 0x001d })
  })

  it('openssl s_server, TLS 1.2 DHE-RSA: the DH prime size', () => {
    const flight = serverHello(decodeServerFlight(readHexFixture('openssl-tls12-dhe-rsa.hex')))
    expect(flight.cipherSuite).toBe(0x0033)
    expect(decodeServerKeyExchange('DHE', flight.serverKeyExchange!)).toEqual({ type: 'DH', bits: 2048 })
  })

  it('openssl s_server, TLS 1.3: version from supported_versions, the key share group', () => {
    const flight = serverHello(decodeServerFlight(readHexFixture('openssl-tls13.hex')))
    expect(flight.versionWire).toBe(0x0304)
    expect(flight.version).toBe('TLSv1.3')
    expect(flight.cipherSuite).toBe(0x1302)
    expect(flight.keyShareGroup).toBe(0x001d)
    expect(flight.helloRetryRequest).toBe(false)
    expect(flight.certificates).toBeNull() // encrypted in TLS 1.3
    expect(flight.complete).toBe(true)
  })

  it('openssl s_server, TLS 1.3 without a usable key share: a HelloRetryRequest naming the group', () => {
    const flight = serverHello(decodeServerFlight(readHexFixture('openssl-tls13-hrr.hex')))
    expect(flight.helloRetryRequest).toBe(true)
    expect(flight.version).toBe('TLSv1.3')
    expect(flight.cipherSuite).toBe(0x1301)
    expect(flight.keyShareGroup).toBe(0x0017)
  })

  it('gnutls-serv, TLS 1.0 with 3DES: accepted with the legacy version', () => {
    const flight = serverHello(decodeServerFlight(readHexFixture('gnutls-tls10-3des.hex')))
    expect(flight.version).toBe('TLSv1')
    expect(flight.cipherSuite).toBe(0x000a)
    expect(flight.serverKeyExchange).toBeNull() // static RSA: no ServerKeyExchange
    expect(flight.certificates!.length).toBeGreaterThan(0)
  })

  it.each([
    ['openssl-sslv3-alert.hex', 40, 'handshake_failure'],
    ['openssl-sslv2-alert.hex', 70, 'protocol_version'],
    ['gnutls-tls13-refused.hex', 40, 'handshake_failure'],
  ])('%s: an alert', (file, description, name) => {
    expect(decodeServerFlight(readHexFixture(file))).toEqual({ kind: 'alert', level: 2, description, name })
  })

  it('asks for more bytes until a flight is complete, at any split point', () => {
    const bytes = readHexFixture('openssl-tls12-ecdhe-rsa.hex')
    for (const cut of [1, 4, 5, 9, 50, 100, 1000, bytes.length - 1]) {
      expect(decodeServerFlight(bytes.subarray(0, cut)).kind, `cut at ${cut}`).toBe('incomplete')
    }
    // A peer that closes after the ServerHello still answered.
    const firstRecordLength = 5 + bytes.readUInt16BE(3)
    const truncated = decodeServerFlight(bytes.subarray(0, firstRecordLength + 3), true)
    expect(truncated.kind).toBe('server-hello')
  })

  it.each([
    ['SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n', /not a TLS record; it sent "SSH-2.0-OpenSSH_9.2p1 Debian-2"/],
    ['HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n', /"HTTP\/1.1 400 Bad Request"/],
    ['220 mail.example ESMTP Postfix\r\n', /"220 mail.example ESMTP Postfix"/],
  ])('recognises a plaintext service: %j', (text, reason) => {
    const flight = decodeServerFlight(Buffer.from(text))
    expect(flight.kind).toBe('not-tls')
    expect(flight.kind === 'not-tls' && flight.reason).toMatch(reason)
  })

  it('rejects garbage: random bytes, a wrong record version, an oversized record, a handshake that is not a ServerHello', () => {
    expect(decodeServerFlight(Buffer.from('00ff00ff00ff', 'hex')).kind).toBe('not-tls')
    expect(decodeServerFlight(Buffer.from('1604030005', 'hex')).kind).toBe('not-tls')
    expect(decodeServerFlight(Buffer.from('160303ffff', 'hex')).kind).toBe('not-tls')
    expect(decodeServerFlight(Buffer.from('16030300040e000000', 'hex')).kind).toBe('not-tls')
    expect(decodeServerFlight(Buffer.from('1603030005020000010f', 'hex')).kind).toBe('not-tls')
  })

  it('reports a connection closed mid-record as not TLS', () => {
    const flight = decodeServerFlight(Buffer.from('160303', 'hex'), true)
    expect(flight.kind).toBe('not-tls')
  })
})

describe('describeBytes', () => {
  it('quotes text and hex-dumps binary', () => {
    expect(describeBytes(Buffer.from('hello\r\nworld'))).toBe('"hello"')
    expect(describeBytes(Buffer.from([0, 1, 2]))).toBe('0x000102')
  })
})

describe('bitLength', () => {
  it('counts the bits of big-endian integers', () => {
    expect(bitLength(Buffer.from([0x00, 0x80]))).toBe(8)
    expect(bitLength(Buffer.from([0x01, 0x00]))).toBe(9)
    expect(bitLength(Buffer.from([0, 0]))).toBe(0)
    expect(bitLength(Buffer.alloc(256, 0xff))).toBe(2048)
  })
})
