import { describe, expect, it } from 'vitest'
import { probeTargetOf } from '../../../../collector/isolation/probe-peer.js'
import { groupOf, planPeers, type DirectoryEntry } from '../../../../collector/isolation/probe-plan.js'
import type { Facts } from '../../../../rules/facts/facts.js'

const limits = { maxAddresses: 8, maxPorts: 32, publicAddresses: false }
const address = (a: string, zone: string) => ({ address: a, zone })
const facts = (addresses: { address: string; zone: string }[], listeners: { port: number; protocol: string }[]) =>
  ({ network: { interfaces: [{ target: 'eth0', addresses }], managementListeners: listeners } }) as unknown as Facts

describe('probeTargetOf', () => {
  it('keeps private and CGNAT addresses and TCP management ports, whatever the agent called the zone', () => {
    const target = probeTargetOf(
      facts(
        [address('203.0.113.5', 'private'), address('10.10.0.5', 'private'), address('fd00::5', 'private'), address('100.64.1.2', 'public'), address('127.0.0.1', 'loopback'), address('fe80::1', 'link-local'), address('not-an-ip', 'private')],
        [{ port: 5432, protocol: 'tcp' }, { port: 11211, protocol: 'udp' }, { port: 22, protocol: 'tcp' }, { port: 5432, protocol: 'tcp' }],
      ),
      limits,
    )
    expect(target).toEqual({ addresses: ['10.10.0.5', '100.64.1.2', 'fd00::5'], ports: [22, 5432] })
  })

  it('public-class addresses the policy calls private only when the collector allows them', () => {
    const f = facts([address('203.0.113.5', 'private'), address('198.51.100.1', 'public')], [{ port: 22, protocol: 'tcp' }])
    expect(probeTargetOf(f, { ...limits, publicAddresses: true }).addresses).toEqual(['203.0.113.5'])
  })

  it('a report without network facts offers nothing', () => {
    expect(probeTargetOf({} as Facts, limits)).toEqual({ addresses: [], ports: [] })
  })

  it('bounds addresses and ports per node', () => {
    const many = facts(Array.from({ length: 20 }, (_, i) => address(`10.0.0.${i + 1}`, 'private')), Array.from({ length: 50 }, (_, i) => ({ port: 1000 + i, protocol: 'tcp' })))
    const target = probeTargetOf(many, { ...limits, maxAddresses: 3, maxPorts: 4 })
    expect([target.addresses.length, target.ports]).toEqual([3, [1000, 1001, 1002, 1003]])
  })
})

describe('groupOf', () => {
  it('reads the group label, then the role label', () => {
    expect(groupOf({ 'network-group': 'db', role: 'x' }, 'network-group', 'role')).toBe('db')
    expect(groupOf({ role: 'web' }, 'network-group', 'role')).toBe('web')
    expect(groupOf({ dc: 'fra1' }, 'network-group', 'role')).toBeNull()
    expect(groupOf({ 'network-group': '' }, 'network-group', 'role')).toBeNull()
  })
})

describe('planPeers', () => {
  const entry = (name: string, group: string | null, addresses: string[], ports: number[]): DirectoryEntry => ({ agentId: `a-${name}`, name, group, addresses, ports })
  const entries = [
    entry('web2', 'web', ['10.0.1.2'], [22]),
    entry('db1', 'db', ['10.0.2.1', '10.0.3.1'], [5432, 9100]),
    entry('ops1', 'ops', ['10.0.4.1'], [22]),
    entry('nogroup', null, ['10.0.5.1'], [22]),
    entry('quiet', 'db', ['10.0.2.9'], []),
  ]

  it('plans every node of a group it may not reach, never its own group or ungrouped nodes', () => {
    expect(planPeers('web', entries, { reachableGroups: {}, maxTargetsPerPlan: 256 })).toEqual([
      { name: 'db1', group: 'db', addresses: ['10.0.2.1', '10.0.3.1'], ports: [5432, 9100] },
      { name: 'ops1', group: 'ops', addresses: ['10.0.4.1'], ports: [22] },
    ])
  })

  it('leaves out reachable groups', () => {
    expect(planPeers('web', entries, { reachableGroups: { web: ['db'] }, maxTargetsPerPlan: 256 }).map((p) => p.name)).toEqual(['ops1'])
  })

  it('stops at the target budget', () => {
    const plan = planPeers('web', entries, { reachableGroups: {}, maxTargetsPerPlan: 3 })
    expect(plan).toEqual([{ name: 'db1', group: 'db', addresses: ['10.0.2.1'], ports: [5432, 9100] }, { name: 'ops1', group: 'ops', addresses: ['10.0.4.1'], ports: [22] }])
    expect(plan.reduce((n, p) => n + p.addresses.length * p.ports.length, 0)).toBeLessThanOrEqual(3)
  })
})
