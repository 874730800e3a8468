import { describe, expect, it } from 'vitest'
import { applyCollectorView, collectorViewAtEnrollment, collectorViewOf } from '../../../agent/collector-view.js'
import { gatherNetwork } from '../../../agent/gatherers/network/gather-network.js'
import type { Connect } from '../../../agent/gatherers/network/isolation-probe.js'
import { effectivePolicy } from '../../../agent/gatherers/network/network-config.js'
import { SnapshotHost } from '../../../agent/host/snapshot-host.js'
import { scanConfigSchema } from '../../../agent/scan-config.js'
import { evaluateRules } from '../../../rules/evaluate.js'
import type { Facts } from '../../../rules/facts/facts.js'
import { networkRules, snapshotFixture } from './gatherers/network/fixture.js'

const now = new Date('2026-11-23T00:00:00Z')
const noConnect: Connect = async () => {
  throw new Error('unit tests never connect')
}
const nodeConfig = (group: string | null, peers: { name: string; group: string; addresses: string[]; ports: number[] }[] = []) =>
  collectorViewOf({ v: 1, type: 'node-config', labels: { 'network-group': group ?? '', dc: 'fra1' }, isolation: { groupLabel: 'network-group', group, peers } })

describe('applyCollectorView', () => {
  const fleetConfig = scanConfigSchema.parse({
    network: {
      labels: { dc: 'ams1', rack: 'r7' },
      roles: { db: { requiredVlans: [100] } },
      networks: [{ name: 'fra-mgmt', zone: 'private', cidrs: ['10.10.0.0/16'], labels: { dc: 'fra1' } }],
      isolationTargets: [{ name: 'static', group: 'ops', addresses: ['10.0.0.9'], ports: [22] }],
    },
  })

  it('the collector labels win over the config file and select policy networks and the role', () => {
    const view = collectorViewOf({ v: 1, type: 'node-config', labels: { dc: 'fra1', role: 'db' }, isolation: { groupLabel: 'network-group', group: null, peers: [] } })
    const config = applyCollectorView(fleetConfig, view)
    expect(config.network.labels).toEqual({ dc: 'fra1', rack: 'r7', role: 'db' })
    const policy = effectivePolicy(config.network)
    expect(policy.networks.map((n) => n.name)).toEqual(['fra-mgmt'])
    expect([policy.role, policy.requiredVlans, policy.group]).toEqual(['db', [100], 'db'])
    // No group from the collector: the config file's own targets stay.
    expect([config.network.isolationPlanner, config.network.isolationTargets.map((t) => t.name)]).toEqual(['config', ['static']])
    // The input is not changed.
    expect(fleetConfig.network.labels).toEqual({ dc: 'ams1', rack: 'r7' })
  })

  it('a role label that names no configured role is not a role', () => {
    const config = applyCollectorView(fleetConfig, collectorViewAtEnrollment({ role: 'unknown' }))
    expect(effectivePolicy(config.network).role).toBeNull()
  })

  it('a group from the collector replaces the targets and the group', () => {
    const config = applyCollectorView(fleetConfig, nodeConfig('web', [{ name: 'db1', group: 'db', addresses: ['10.10.0.5'], ports: [5432] }]))
    expect(config.network).toMatchObject({ group: 'web', isolationPlanner: 'collector', isolationTargets: [{ name: 'db1', group: 'db', addresses: ['10.10.0.5'], ports: [5432] }] })
  })
})

describe('collector-planned isolation in the network gatherer', () => {
  const rules = networkRules()
  async function scan(view: ReturnType<typeof collectorViewOf>, connect: Connect = noConnect) {
    const snapshot = snapshotFixture('netns-default.snapshot.json')
    snapshot.probes['isolation 10.10.0.5:5432'] = { result: { outcome: 'connected' } }
    snapshot.probes['isolation 10.10.0.5:9100'] = { result: { outcome: 'refused' } }
    const config = applyCollectorView(scanConfigSchema.parse({}), view)
    const { facts, errors } = await gatherNetwork({ host: new SnapshotHost(snapshot, 'fixture'), now, config }, connect)
    return { network: facts.network!, findings: evaluateRules(rules, { facts: facts as Facts, factErrors: errors, now }) }
  }

  it('a reachable management port of another group fails critically with the probe as evidence', async () => {
    const { network, findings } = await scan(nodeConfig('web', [{ name: 'db1', group: 'db', addresses: ['10.10.0.5'], ports: [5432, 9100] }]))
    expect(network.isolation).toMatchObject({ status: 'probed', planner: 'collector', group: 'web' })
    const verdicts = findings.filter((f) => f.rule === 'net.isolation-verified').map((f) => [f.target, f.status, f.severity])
    expect(verdicts).toEqual([
      ['10.10.0.5:5432', 'fail', 'critical'],
      ['10.10.0.5:9100', 'pass', 'critical'],
    ])
    const failed = findings.find((f) => f.target === '10.10.0.5:5432')!
    expect(failed.message).toBe('db1 (group db) accepted a TCP connection on 10.10.0.5:5432 from this node (group web): the networks are not isolated')
    expect(failed.evidence).toMatchObject({ outcome: 'connected', reachable: true, address: '10.10.0.5', port: 5432, peer: 'db1' })
  })

  it('a group with no peers yet is na, saying the collector sends them as reports come in', async () => {
    const { network, findings } = await scan(nodeConfig('web'))
    expect(network.isolation).toMatchObject({ status: 'nothing-to-probe', planner: 'collector', probes: [] })
    const finding = findings.find((f) => f.rule === 'net.isolation-verified')!
    expect([finding.status, finding.message]).toEqual(['na', expect.stringContaining('the collector knows no enrolled node outside network group web')])
  })

  it('a node without a group label and without config gets na saying how to set the group label', async () => {
    const { findings } = await scan(nodeConfig(null))
    const finding = findings.find((f) => f.rule === 'net.isolation-verified')!
    expect([finding.status, finding.message]).toEqual(['na', expect.stringContaining('posture collector token --labels network-group=GROUP')])
  })
})
