import { describe, expect, it } from 'vitest'
import { effectivePolicy, networkConfigSchema } from '../../../../../agent/gatherers/network/network-config.js'
import { scanConfigSchema } from '../../../../../agent/scan-config.js'

describe('network scan config', () => {
  it('has secure defaults: database, exporter and admin ports are management-only, SSH is not', () => {
    const config = scanConfigSchema.parse({}).network
    const policy = effectivePolicy(config)
    expect(policy.configured).toBe(false)
    expect(policy.group).toBe('ungrouped')
    const ports = policy.managementPorts.map((p) => p.port)
    for (const port of [3306, 5432, 6379, 27017, 9200, 11211, 623, 9100, 2375, 2376, 111, 2049, 445, 8443]) expect(ports).toContain(port)
    expect(ports).not.toContain(22)
    expect(config.isolation).toEqual({ timeoutMs: 2000, concurrency: 8, perSecond: 20, maxProbes: 256, reachableGroups: {} })
  })

  it('folds the role in: required VLANs, routing, SSH, role-limited networks', () => {
    const config = networkConfigSchema.parse({
      role: 'hypervisor',
      requiredVlans: [10],
      roles: { hypervisor: { requiredVlans: [100, 10], routes: true, sshManagementOnly: true }, web: {} },
      networks: [
        { name: 'mgmt', zone: 'private', vlanIds: [100] },
        { name: 'storage', zone: 'private', cidrs: ['10.30.0.0/16'], roles: ['storage'] },
      ],
      publicPorts: [9100],
    })
    const policy = effectivePolicy(config)
    expect(policy).toMatchObject({ configured: true, role: 'hypervisor', group: 'hypervisor', routes: true, requiredVlans: [10, 100] })
    expect(policy.networks.map((n) => n.name)).toEqual(['mgmt'])
    expect(policy.managementPorts.map((p) => p.port)).toContain(22)
    expect(policy.managementPorts.map((p) => p.port)).not.toContain(9100)
  })

  it('selects policy networks by node labels, so one file serves several datacentres', () => {
    const networks = [
      { name: 'mgmt-fra', zone: 'private', cidrs: ['10.1.0.0/16'], labels: { dc: 'fra1' } },
      { name: 'mgmt-ams', zone: 'private', cidrs: ['10.2.0.0/16'], labels: { dc: 'ams1' } },
      { name: 'public', zone: 'public', cidrs: ['198.51.100.0/24'] },
    ]
    const names = (labels: Record<string, string>) => effectivePolicy(networkConfigSchema.parse({ labels, networks })).networks.map((n) => n.name)
    expect(names({ dc: 'fra1' })).toEqual(['mgmt-fra', 'public'])
    expect(names({})).toEqual(['public'])
  })

  it('rejects misspelled keys, host names, bad CIDRs and unknown references', () => {
    expect(networkConfigSchema.safeParse({ managmentPorts: [] }).success).toBe(false)
    expect(networkConfigSchema.safeParse({ isolationTargets: [{ name: 'a', group: 'b', addresses: ['db.internal'], ports: [22] }] }).success).toBe(false)
    expect(networkConfigSchema.safeParse({ networks: [{ name: 'a', zone: 'private', cidrs: ['10.0.0/8'] }] }).success).toBe(false)
    expect(networkConfigSchema.safeParse({ networks: [{ name: 'a', zone: 'private' }] }).success).toBe(false)
    expect(networkConfigSchema.safeParse({ requiredNetworks: ['nope'] }).success).toBe(false)
    expect(networkConfigSchema.safeParse({ role: 'db', roles: { web: {} } }).success).toBe(false)
    expect(networkConfigSchema.safeParse({ networks: [{ name: 'a', zone: 'private', cidrs: ['fd00::/8', '10.0.0.0/8'], vlanIds: [4095] }] }).success).toBe(false)
  })
})
