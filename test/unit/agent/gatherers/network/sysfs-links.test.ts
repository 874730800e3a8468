import { describe, expect, it } from 'vitest'
import type { InterfaceKind } from '../../../../../rules/facts/network.js'
import { linkFromSysfs, parseProcVlanConfig, sysfsKind, type SysfsLink } from '../../../../../agent/gatherers/network/sysfs-links.js'
import { fixture } from './fixture.js'

type Captured = Record<string, Omit<SysfsLink, 'name'>>

describe('parseProcVlanConfig', () => {
  it('reads VLAN name, id and parent', () => {
    const vlans = parseProcVlanConfig(fixture('proc-net-vlan-config.txt'))!
    expect([...vlans]).toEqual([
      ['ens224.305', { id: 305, parent: 'ens224' }],
      ['ens224.99', { id: 99, parent: 'ens224' }],
    ])
    expect(parseProcVlanConfig('')).toBeNull()
  })
})

describe('links from /sys/class/net', () => {
  const captured = JSON.parse(fixture('netns-sys-class-net.json')) as Captured
  const raw = Object.entries(captured).map(([name, files]) => ({ name, ...files }))
  const kinds = new Map<string, InterfaceKind>(raw.map((l) => [l.name, sysfsKind(l)]))

  it('tells loopback and bridge apart, finds masters and state (captured in a namespace)', () => {
    const links = raw.map((l) => linkFromSysfs(l, new Map(), kinds))
    const byName = new Map(links.map((l) => [l.name, l]))
    expect(byName.get('lo')).toMatchObject({ kind: 'loopback', up: true, mtu: 65536 })
    expect(byName.get('br0')).toMatchObject({ kind: 'bridge', state: 'UP', up: true, mtu: 1500, parent: null, master: null })
    expect(byName.get('v0')).toMatchObject({ master: 'br0' })
    expect(byName.get('v1')).toMatchObject({ master: null, state: 'UP' })
  })

  it('takes VLAN ids and parents from /proc/net/vlan/config', () => {
    const link: SysfsLink = { name: 'ens224.99', entries: ['lower_ens224', 'uevent'], uevent: 'DEVTYPE=vlan\nINTERFACE=ens224.99\nIFINDEX=5\n', operstate: 'up\n', flags: '0x1003\n', mtu: '1500\n', address: '00:50:56:aa:bb:cc\n', type: '1\n' }
    const vlans = parseProcVlanConfig(fixture('proc-net-vlan-config.txt'))!
    expect(linkFromSysfs(link, vlans, new Map([['ens224.99', 'vlan']]))).toMatchObject({ kind: 'vlan', vlan: { id: 99, protocol: null }, parent: 'ens224', up: true })
  })
})
