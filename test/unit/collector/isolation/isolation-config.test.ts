import { describe, expect, it } from 'vitest'
import { resolveCollectorConfig } from '../../../../collector/collector-config.js'

describe('collector config isolationProbes', () => {
  it('defaults: on, network-group then role labels, private addresses only, bounded plans', () => {
    const config = resolveCollectorConfig({}, {}, '/tmp')
    expect(config.isolationProbes).toEqual({
      enabled: true,
      groupLabel: 'network-group',
      roleLabel: 'role',
      reachableGroups: {},
      maxTargetsPerPlan: 256,
      maxAddressesPerNode: 8,
      maxPortsPerNode: 32,
      publicAddresses: false,
      debounceMs: 1_000,
    })
  })

  it('a misspelled key or an unbounded plan is refused with its path', () => {
    expect(() => resolveCollectorConfig({ isolationProbes: { reachableGroup: {} } }, {}, '/tmp')).toThrow(/isolationProbes: unknown key reachableGroup/)
    expect(() => resolveCollectorConfig({ isolationProbes: { maxTargetsPerPlan: 100_000 } }, {}, '/tmp')).toThrow(/isolationProbes\.maxTargetsPerPlan/)
  })

  it('allowed group pairs', () => {
    expect(resolveCollectorConfig({ isolationProbes: { reachableGroups: { web: ['db'] } } }, {}, '/tmp').isolationProbes.reachableGroups).toEqual({ web: ['db'] })
  })
})
