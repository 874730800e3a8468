import { describe, expect, it } from 'vitest'
import { parseIpAddr, parseIpLink } from '../../../../../agent/gatherers/network/ip-json.js'
import { parseSs } from '../../../../../agent/gatherers/network/listening-sockets.js'
import { resolveListeners } from '../../../../../agent/gatherers/network/listener-exposure.js'
import { defaultManagementPorts, networkConfigSchema, type PolicyNetwork } from '../../../../../agent/gatherers/network/network-config.js'
import { buildInterfaces } from '../../../../../agent/gatherers/network/network-zones.js'
import { fixture } from './fixture.js'

const lab = (networks: PolicyNetwork[] = []) => buildInterfaces(parseIpLink(fixture('ip-d-j-link-show.json'))!, parseIpAddr(fixture('ip-j-addr-show.json')), networks)

describe('buildInterfaces', () => {
  it('zones the lab: br0 private (RFC 1918), v1 public, loopback local, a bare bridge port link-local', () => {
    const byName = new Map(lab().map((i) => [i.target, i]))
    expect(byName.get('br0')!.addresses.map((a) => [a.address, a.class, a.zone])).toEqual([
      ['10.10.0.1', 'private', 'private'],
      ['fe80::e4dd:59ff:fee9:64aa', 'link-local', 'private'],
    ])
    expect(byName.get('v1')!.addresses.map((a) => [a.address, a.class, a.zone])).toEqual([
      ['203.0.113.10', 'public', 'public'],
      ['2001:db8:10::1', 'public', 'public'],
      ['fe80::a4a1:eeff:fe38:2cb7', 'link-local', 'public'],
    ])
    expect(byName.get('v1')!.zone).toBe('public')
    expect(byName.get('lo')!.zone).toBe('loopback')
    expect(byName.get('v0')!.zone).toBe('link-local')
  })

  it('lets the policy override the address class by CIDR, interface name or VLAN id', () => {
    const config = networkConfigSchema.parse({
      networks: [
        { name: 'provider-private', zone: 'private', cidrs: ['203.0.113.0/24'] },
        { name: 'customer', zone: 'public', interfaces: ['br0'] },
      ],
    })
    const byName = new Map(lab(config.networks).map((i) => [i.target, i]))
    expect(byName.get('v1')!.addresses[0]).toMatchObject({ zone: 'private', network: 'provider-private' })
    expect(byName.get('v1')!.addresses[1]).toMatchObject({ zone: 'public', network: null })
    expect(byName.get('br0')!.addresses.map((a) => [a.zone, a.network])).toEqual([
      ['public', 'customer'],
      ['public', 'customer'],
    ])

    const bond = buildInterfaces(
      parseIpLink(fixture('ip-d-j-link-show.bond-vlan.composed.json'))!,
      parseIpAddr(fixture('ip-j-addr-show.bond-vlan.composed.json')),
      networkConfigSchema.parse({ networks: [{ name: 'storage', zone: 'private', vlanIds: [200] }] }).networks,
    )
    const vmbr = bond.find((i) => i.target === 'vmbr200')!
    expect(vmbr.vlanIds).toEqual([200])
    expect(vmbr.addresses.map((a) => a.network)).toEqual(['storage', 'storage'])
    expect(bond.find((i) => i.target === 'bond0')!.vlanIds).toEqual([])
  })
})

describe('resolveListeners', () => {
  const sockets = parseSs(fixture('ss-tlnpH.txt'))
  const byTarget = (networks: PolicyNetwork[] = []) => new Map(resolveListeners(sockets, lab(networks), networks, defaultManagementPorts, null).map((l) => [l.target, l]))

  it('resolves each ss address form to the networks it exposes', () => {
    const listeners = byTarget()
    const exposure = (target: string) => listeners.get(target)!.exposure.map((e) => `${e.address}@${e.interface}:${e.zone}`)
    // 0.0.0.0: every IPv4 address of the node.
    expect(exposure('tcp 0.0.0.0:8080')).toEqual(['127.0.0.1@lo:loopback', '10.10.0.1@br0:private', '203.0.113.10@v1:public'])
    // *: IPv4 and IPv6.
    expect(listeners.get('tcp *:8443')!.publicAddresses).toEqual(['203.0.113.10', '2001:db8:10::1', 'fe80::a4a1:eeff:fe38:2cb7'])
    // [::] v6-only: IPv6 addresses only.
    expect(listeners.get('tcp [::]:8081')!.zones).toEqual(['link-local', 'loopback', 'private', 'public'])
    expect(listeners.get('tcp [::]:8081')!.exposure.every((e) => e.address.includes(':'))).toBe(true)
    // 0.0.0.0%br0: only the bridge.
    expect(exposure('tcp 0.0.0.0%br0:9200')).toEqual(['10.10.0.1@br0:private'])
    expect(listeners.get('tcp 0.0.0.0%br0:9200')).toMatchObject({ managementOnly: true, service: 'elasticsearch', publicAddresses: [] })
    // Specific addresses and loopback.
    expect(exposure('tcp 10.10.0.1:9100')).toEqual(['10.10.0.1@br0:private'])
    expect(exposure('tcp [2001:db8:10::1]:443')).toEqual(['2001:db8:10::1@v1:public'])
    expect(exposure('tcp 127.0.0.1:9090')).toEqual(['127.0.0.1@lo:loopback'])
    expect(exposure('tcp [::1]:6379')).toEqual(['::1@lo:loopback'])
    expect(listeners.get('tcp [::1]:6379')).toMatchObject({ managementOnly: true, service: 'redis', publicAddresses: [] })
  })

  it('marks ports management-only from the policy, SSH only when asked', () => {
    expect(byTarget().get('tcp 10.10.0.1:22')!.managementOnly).toBe(false)
    const config = networkConfigSchema.parse({ sshManagementOnly: true, publicPorts: [9200] })
    const ports = [...defaultManagementPorts, { port: 22, protocol: 'tcp' as const, service: 'ssh' }].filter((p) => !config.publicPorts.includes(p.port))
    const listeners = new Map(resolveListeners(sockets, lab(), [], ports, null).map((l) => [l.target, l]))
    expect(listeners.get('tcp 10.10.0.1:22')).toMatchObject({ managementOnly: true, service: 'ssh' })
    expect(listeners.get('tcp 0.0.0.0%br0:9200')!.managementOnly).toBe(false)
  })

  it('without the interface inventory, errors wildcard listeners and judges specific ones by address', () => {
    const listeners = new Map(resolveListeners(sockets, null, [], defaultManagementPorts, 'ip: command not found').map((l) => [l.target, l]))
    expect(listeners.get('tcp 0.0.0.0:8080')!.error).toContain('ip: command not found')
    expect(listeners.get('tcp 203.0.113.10:51413')).toMatchObject({ publicAddresses: ['203.0.113.10'], zones: ['public'] })
    expect(listeners.get('tcp 10.10.0.1:9100')!.error).toBeUndefined()
    expect(listeners.get('tcp 10.10.0.1:9100')!.zones).toEqual(['private'])
  })
})
