import { describe, expect, it } from 'vitest'
import { classifyAddress, familyOf, inCidr, normalizeAddress, parseAddress } from '../../../../../agent/gatherers/network/address-class.js'

describe('classifyAddress', () => {
  it.each([
    ['203.0.113.10', 'public'],
    ['8.8.8.8', 'public'],
    ['2a01:4f8::1', 'public'],
    ['2001:db8:10::1', 'public'],
    ['10.10.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['fd00:30::11', 'private'],
    ['100.64.1.1', 'cgnat'],
    ['127.0.0.53', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::e4dd:59ff:fee9:64aa', 'link-local'],
    ['::ffff:10.10.0.1', 'private'],
    ['::ffff:198.51.100.1', 'public'],
  ] as const)('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected)
  })

  it('refuses what is not an address literal', () => {
    expect(() => classifyAddress('db1.example.net')).toThrow(TypeError)
    expect(parseAddress('10.1')).toBeNull()
  })
})

describe('address helpers', () => {
  it('normalizes IPv4-mapped and upper-case IPv6', () => {
    expect(normalizeAddress('::ffff:10.0.0.1')).toBe('10.0.0.1')
    expect(normalizeAddress('2001:DB8:0::1')).toBe('2001:db8::1')
    expect(familyOf('fe80::1%eth0')).toBe('ipv6')
  })

  it('matches CIDRs within one family only', () => {
    expect(inCidr('10.10.0.7', '10.10.0.0/24')).toBe(true)
    expect(inCidr('10.10.1.7', '10.10.0.0/24')).toBe(false)
    expect(inCidr('fd00:30::11', 'fd00::/8')).toBe(true)
    expect(inCidr('10.10.0.7', 'fd00::/8')).toBe(false)
  })
})
