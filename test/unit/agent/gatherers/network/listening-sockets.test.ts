import { describe, expect, it } from 'vitest'
import { decodeProcEndpoint, parseProcNet, parseSs, parseSsEndpoint } from '../../../../../agent/gatherers/network/listening-sockets.js'
import { fixture } from './fixture.js'

describe('ss local address forms', () => {
  it.each([
    ['0.0.0.0:8080', { address: '0.0.0.0', port: 8080, boundInterface: null, family: 'ipv4' }],
    ['*:8443', { address: '::', port: 8443, boundInterface: null, family: 'dual' }],
    ['[::]:8081', { address: '::', port: 8081, boundInterface: null, family: 'ipv6' }],
    ['0.0.0.0%br0:9200', { address: '0.0.0.0', port: 9200, boundInterface: 'br0', family: 'ipv4' }],
    ['[::]%br0:2375', { address: '::', port: 2375, boundInterface: 'br0', family: 'ipv6' }],
    ['10.10.0.1:22', { address: '10.10.0.1', port: 22, boundInterface: null, family: 'ipv4' }],
    ['[2001:db8:10::1]:443', { address: '2001:db8:10::1', port: 443, boundInterface: null, family: 'ipv6' }],
    ['127.0.0.1:9090', { address: '127.0.0.1', port: 9090, boundInterface: null, family: 'ipv4' }],
    ['[::1]:6379', { address: '::1', port: 6379, boundInterface: null, family: 'ipv6' }],
    ['127.0.0.53%lo:53', { address: '127.0.0.53', port: 53, boundInterface: 'lo', family: 'ipv4' }],
    ['[::ffff:10.10.0.1]:7000', { address: '10.10.0.1', port: 7000, boundInterface: null, family: 'ipv4' }],
    ['[fe80::1]%eth0:22', { address: 'fe80::1', port: 22, boundInterface: 'eth0', family: 'ipv6' }],
    [':::22', { address: '::', port: 22, boundInterface: null, family: 'ipv6' }],
  ] as const)('%s', (text, expected) => {
    expect(parseSsEndpoint(text)).toEqual(expected)
  })

  it('rejects what is not an endpoint', () => {
    expect(parseSsEndpoint('localhost:ssh')).toBeNull()
    expect(parseSsEndpoint('0.0.0.0:*')).toBeNull()
  })
})

describe('parseSs', () => {
  it('reads ss -H -tulnp with the Netid column (captured in a namespace)', () => {
    const sockets = parseSs(fixture('ss-tulnpH.txt'))
    expect(sockets).toHaveLength(16)
    expect(sockets.filter((s) => s.protocol === 'udp').map((s) => `${s.address}:${s.port}/${s.family}`)).toEqual(['127.0.0.1:323/ipv4', '0.0.0.0:51413/ipv4', ':::11211/dual'])
    expect(sockets.find((s) => s.port === 9200)).toEqual({ protocol: 'tcp', address: '0.0.0.0', port: 9200, boundInterface: 'br0', family: 'ipv4', processes: ['python3'], source: 'ss' })
  })

  it('reads the lab capture without a Netid column, with and without process names', () => {
    const root = parseSs(fixture('ss-tlnpH.txt'))
    expect(root.map((s) => `${s.protocol} ${s.address} ${s.port}`)).toEqual([
      'tcp 0.0.0.0 8080', 'tcp 10.10.0.1 9100', 'tcp 127.0.0.1 9090', 'tcp 10.10.0.1 22', 'tcp 0.0.0.0 9200',
      'tcp 203.0.113.10 51413', 'tcp :: 8081', 'tcp 2001:db8:10::1 443', 'tcp ::1 6379', 'tcp :: 8443',
    ])
    expect(root.find((s) => s.port === 22)!.processes).toEqual(['sshd'])
    expect(parseSs(fixture('ss-tlnpH.nonroot.txt')).every((s) => s.processes.length === 0)).toBe(true)
    expect(parseSs(fixture('ss-ulnpH.txt'))).toEqual([{ protocol: 'udp', address: '0.0.0.0', port: 51413, boundInterface: null, family: 'ipv4', processes: ['python3'], source: 'ss' }])
  })

  it('merges SO_REUSEPORT duplicates and lists every process', () => {
    const text = 'tcp LISTEN 0 511 0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=11,fd=6),("nginx",pid=10,fd=6))\ntcp LISTEN 0 511 0.0.0.0:80 0.0.0.0:* users:(("caddy",pid=12,fd=3))\n'
    expect(parseSs(text)).toEqual([{ protocol: 'tcp', address: '0.0.0.0', port: 80, boundInterface: null, family: 'ipv4', processes: ['nginx', 'caddy'], source: 'ss' }])
  })
})

describe('/proc/net/tcp* decoding', () => {
  it.each([
    ['00000000:1F90', '0.0.0.0', 8080],
    ['01000A0A:238C', '10.10.0.1', 9100],
    ['0100007F:2382', '127.0.0.1', 9090],
    ['0A7100CB:C8D5', '203.0.113.10', 51413],
    ['00000000000000000000000000000000:1F91', '::', 8081],
    ['B80D0120000010000000000001000000:01BB', '2001:db8:10::1', 443],
    ['00000000000000000000000001000000:18EB', '::1', 6379],
    ['0000000000000000FFFF000001000A0A:1B58', '10.10.0.1', 7000],
  ])('%s is %s port %i', (text, address, port) => {
    expect(decodeProcEndpoint(text)).toMatchObject({ address, port })
  })

  it('keeps listening TCP sockets only, and reads :: as dual-stack (the worst case)', () => {
    const v4 = parseProcNet(fixture('proc-net-tcp.txt'), 'tcp')!
    expect(v4.map((s) => `${s.address}:${s.port}`)).toEqual(['0.0.0.0:8080', '10.10.0.1:9100', '127.0.0.1:9090', '10.10.0.1:22', '0.0.0.0:9200', '203.0.113.10:51413'])
    // The SO_BINDTODEVICE socket on 9200 cannot be told apart: it reads as a plain wildcard.
    expect(v4.find((s) => s.port === 9200)!.boundInterface).toBeNull()
    const v6 = parseProcNet(fixture('proc-net-tcp6.txt'), 'tcp')!
    expect(v6.map((s) => `${s.address}:${s.port}/${s.family}`)).toEqual([':::8081/dual', '2001:db8:10::1:443/ipv6', '::1:6379/ipv6', ':::8443/dual'])
    expect(v6.every((s) => s.source === 'proc' && s.processes.length === 0)).toBe(true)
  })

  it('skips established and time-wait rows of a real host (jc fixture)', () => {
    const sockets = parseProcNet(fixture('jc-proc-net-tcp.txt'), 'tcp')!
    expect(sockets.map((s) => `${s.address}:${s.port}`)).toEqual(['127.0.0.53:53', '127.0.0.1:35303', '127.0.0.1:631', '0.0.0.0:22'])
    expect(parseProcNet(fixture('jc-proc-net-tcp6.txt'), 'tcp')!.map((s) => `${s.address}:${s.port}`)).toEqual([':::22'])
  })

  it('keeps unconnected UDP sockets', () => {
    expect(parseProcNet(fixture('proc-net-udp.txt'), 'udp')).toEqual([{ protocol: 'udp', address: '0.0.0.0', port: 51413, boundInterface: null, family: 'ipv4', processes: [], source: 'proc' }])
    expect(parseProcNet(fixture('netns-proc-net-udp6.txt'), 'udp')!.map((s) => `${s.address}:${s.port}/${s.family}`)).toEqual([':::11211/dual'])
  })

  it('returns null without the header', () => {
    expect(parseProcNet('garbage', 'tcp')).toBeNull()
  })
})
