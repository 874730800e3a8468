import { describe, expect, it } from 'vitest'
import { parseDefaultRoutes, parseIpAddr, parseIpLink, parseIpOnelineAddr } from '../../../../../agent/gatherers/network/ip-json.js'
import { fixture } from './fixture.js'

describe('parseIpLink', () => {
  it('reads the lab capture: loopback, a bridge, a veth pair with one end enslaved', () => {
    const links = parseIpLink(fixture('ip-d-j-link-show.json'))!
    expect(links.map((l) => [l.name, l.kind, l.state, l.up, l.parent, l.master])).toEqual([
      ['lo', 'loopback', 'UNKNOWN', true, null, null],
      ['br0', 'bridge', 'UP', true, null, null],
      ['v1', 'veth', 'UP', true, 'v0', null],
      ['v0', 'veth', 'UP', true, 'v1', 'br0'],
    ])
    expect(links[1]).toMatchObject({ mtu: 1500, mac: 'e6:dd:59:e9:64:aa', bridgeVlanFiltering: false, vlan: null })
    expect(links[0]!.mac).toBeNull()
  })

  it('reads a VLAN sub-interface: id, protocol and trunk from linkinfo, not the name', () => {
    const [vlan] = parseIpLink(fixture('ip-d-j-link-show.vlan-eth0.5.json'))!
    expect(vlan).toMatchObject({ name: 'eth0.5', kind: 'vlan', driver: 'vlan', vlan: { id: 5, protocol: '802.1Q' }, parent: 'eth0', state: 'DOWN', up: false, mtu: 1500 })
    const pve = parseIpLink(fixture('ip-d-j-link-show.vlan-pve.json'))!
    expect(pve.map((l) => [l.name, l.vlan?.id, l.parent])).toEqual([
      ['cfab-st', 100, 'eth9'],
      ['primary.3', 3, 'primary'],
    ])
  })

  it('reads a bond with its slaves, VLANs on the bond and a bridge over a VLAN', () => {
    const links = parseIpLink(fixture('ip-d-j-link-show.bond-vlan.composed.json'))!
    const byName = new Map(links.map((l) => [l.name, l]))
    expect(byName.get('bond0')).toMatchObject({ kind: 'bond', bondMode: '802.3ad', master: null })
    expect(byName.get('eno1')).toMatchObject({ kind: 'physical', master: 'bond0', driver: null })
    expect(byName.get('bond0.100')).toMatchObject({ kind: 'vlan', vlan: { id: 100, protocol: '802.1Q' }, parent: 'bond0' })
    expect(byName.get('bond0.200')).toMatchObject({ kind: 'vlan', master: 'vmbr200' })
    expect(byName.get('vmbr200')).toMatchObject({ kind: 'bridge', bridgeVlanFiltering: false })
    expect(byName.get('bond0.300')).toMatchObject({ state: 'DOWN', up: false })
  })

  it('returns null for text that is not ip JSON, an empty list for no output', () => {
    expect(parseIpLink('Object "link" is unknown')).toBeNull()
    expect(parseIpLink('{"ifname":"x"}')).toBeNull()
    expect(parseIpLink('')).toEqual([])
  })
})

describe('parseIpAddr', () => {
  it('maps each interface to its IPv4 and IPv6 addresses', () => {
    const byInterface = parseIpAddr(fixture('ip-j-addr-show.json'))!
    expect(byInterface.get('lo')).toEqual([
      { address: '127.0.0.1', prefixLength: 8, family: 'ipv4', scope: 'host' },
      { address: '::1', prefixLength: 128, family: 'ipv6', scope: 'host' },
    ])
    expect(byInterface.get('v1')!.map((a) => a.address)).toEqual(['203.0.113.10', '2001:db8:10::1', 'fe80::a4a1:eeff:fe38:2cb7'])
    expect(byInterface.get('v0')!.map((a) => a.scope)).toEqual(['link'])
  })
})

describe('parseIpOnelineAddr', () => {
  it('gives the same addresses as the JSON form (captured together in a namespace)', () => {
    const fromJson = parseIpAddr(fixture('netns-ip-j-addr-show.json'))!
    const fromText = parseIpOnelineAddr(fixture('netns-ip-o-addr-show.txt'))!
    expect([...fromText.keys()]).toEqual(['lo', 'br0', 'v0', 'v1'])
    for (const [name, addresses] of fromText) {
      expect(addresses.map((a) => [a.address, a.prefixLength, a.family, a.scope]), name).toEqual(fromJson.get(name)!.map((a) => [a.address, a.prefixLength, a.family, a.scope]))
    }
  })

  it('reads BusyBox-style lines with a peer and an @parent suffix, and refuses other text', () => {
    const text = '5: wg0    inet 10.8.0.1 peer 10.8.0.2/32 scope global wg0\n7: eth0.100@eth0    inet 10.20.0.11/24 brd 10.20.0.255 scope global eth0.100\n'
    expect([...parseIpOnelineAddr(text)!]).toEqual([
      ['wg0', [{ address: '10.8.0.1', prefixLength: 32, family: 'ipv4', scope: 'global' }]],
      ['eth0.100', [{ address: '10.20.0.11', prefixLength: 24, family: 'ipv4', scope: 'global' }]],
    ])
    expect(parseIpOnelineAddr("ip: invalid option -- 'j'")).toBeNull()
  })
})

describe('parseDefaultRoutes', () => {
  it('reads ip -j route show default', () => {
    const text = '[{"dst":"default","gateway":"203.0.113.1","dev":"v1","flags":[]}]\n'
    expect(parseDefaultRoutes(text, 'ipv4')).toEqual([{ target: 'ipv4 default via 203.0.113.1 dev v1', family: 'ipv4', gateway: '203.0.113.1', interface: 'v1', metric: null }])
    const v6 = '[{"dst":"default","gateway":"2001:db8:10::ff","dev":"v1","metric":1024,"flags":[],"pref":"medium"}]'
    expect(parseDefaultRoutes(v6, 'ipv6')![0]).toMatchObject({ gateway: '2001:db8:10::ff', metric: 1024 })
    expect(parseDefaultRoutes('[]', 'ipv4')).toEqual([])
  })
})
