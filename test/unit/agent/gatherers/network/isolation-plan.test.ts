import { describe, expect, it } from 'vitest'
import { planIsolationProbes, type IsolationPeer } from '../../../../../agent/gatherers/network/isolation-plan.js'

const peers: IsolationPeer[] = [
  { name: 'db1', group: 'storage', addresses: ['10.20.0.5', 'fd00:20::5'], ports: [5432, 22] },
  { name: 'web2', group: 'web', addresses: ['10.30.0.7'], ports: [9100] },
  { name: 'bmc1', group: 'bmc', addresses: ['10.99.0.1'], ports: [623] },
]

describe('planIsolationProbes', () => {
  it('plans every address and port of other groups, never its own group', () => {
    const plan = planIsolationProbes({ group: 'web', peers, reachableGroups: {}, maxProbes: 100 })
    expect(plan.probes.map((p) => `${p.target} ${p.fromGroup}->${p.toGroup} ${p.peer}`)).toEqual([
      '10.20.0.5:5432 web->storage db1',
      '10.20.0.5:22 web->storage db1',
      '[fd00:20::5]:5432 web->storage db1',
      '[fd00:20::5]:22 web->storage db1',
      '10.99.0.1:623 web->bmc bmc1',
    ])
    expect(plan.skipped).toBe(1)
  })

  it('leaves out groups the policy lets this group reach', () => {
    const plan = planIsolationProbes({ group: 'web', peers, reachableGroups: { web: ['storage'] }, maxProbes: 100 })
    expect(plan.probes.map((p) => p.target)).toEqual(['10.99.0.1:623'])
    expect(plan.skipped).toBe(5)
  })

  it('never plans an address that is not a literal in the list, nor more than maxProbes', () => {
    const plan = planIsolationProbes({
      group: 'public',
      peers: [{ name: 'x', group: 'mgmt', addresses: ['db.internal', '10.0.0.0/8', '10.0.0.1', '10.0.0.1'], ports: [22, 0, 70000] }],
      reachableGroups: {},
      maxProbes: 100,
    })
    expect(plan.probes.map((p) => p.target)).toEqual(['10.0.0.1:22'])
    const capped = planIsolationProbes({ group: 'public', peers, reachableGroups: {}, maxProbes: 2 })
    expect(capped.probes).toHaveLength(2)
    expect(capped.skipped).toBe(4)
  })
})
