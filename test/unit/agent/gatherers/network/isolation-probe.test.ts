import { describe, expect, it } from 'vitest'
import type { ProbeResult } from '../../../../../agent/host/host.js'
import { LocalHost } from '../../../../../agent/host/local-host.js'
import { SnapshotHost } from '../../../../../agent/host/snapshot-host.js'
import { planIsolationProbes } from '../../../../../agent/gatherers/network/isolation-plan.js'
import { rateLimiter, runIsolationProbes, type Connect, type ProbeClock } from '../../../../../agent/gatherers/network/isolation-probe.js'
import type { ConnectOutcome } from '../../../../../agent/gatherers/network/tcp-connect.js'
import { snapshotSchemaId, type Snapshot } from '../../../../../agent/snapshot.js'

const plan = planIsolationProbes({
  group: 'public',
  peers: [{ name: 'db1', group: 'storage', addresses: ['10.20.0.1', '10.20.0.2', '10.20.0.3', '10.20.0.4', '10.20.0.5'], ports: [5432] }],
  reachableGroups: {},
  maxProbes: 100,
})

/** A fake clock: sleeping advances time, nothing waits. */
function fakeClock(): ProbeClock & { starts: number[] } {
  let now = 0
  return { starts: [], now: () => now, sleep: async (ms) => void (now += ms) }
}

describe('runIsolationProbes', () => {
  it('turns outcomes into facts: connected is reachable, refused/timeout/unreachable are not, other failures are errors', async () => {
    const outcomes: Record<string, ConnectOutcome | Error> = { '10.20.0.1': 'connected', '10.20.0.2': 'refused', '10.20.0.3': 'timeout', '10.20.0.4': 'unreachable', '10.20.0.5': new Error('connect EPERM 10.20.0.5:5432') }
    const connect: Connect = async (address) => {
      const outcome = outcomes[address]!
      if (outcome instanceof Error) throw outcome
      return { outcome }
    }
    const facts = await runIsolationProbes(new LocalHost(), plan.probes, { timeoutMs: 100, concurrency: 2, perSecond: 1000 }, connect, fakeClock())
    expect(facts.map((f) => [f.target, f.reachable, f.outcome])).toEqual([
      ['10.20.0.1:5432', true, 'connected'],
      ['10.20.0.2:5432', false, 'refused'],
      ['10.20.0.3:5432', false, 'timeout'],
      ['10.20.0.4:5432', false, 'unreachable'],
      ['10.20.0.5:5432', null, null],
    ])
    expect(facts[4]!.error).toBe('probe 10.20.0.5:5432 failed: connect EPERM 10.20.0.5:5432')
    expect(facts[0]).toMatchObject({ peer: 'db1', fromGroup: 'public', toGroup: 'storage', address: '10.20.0.1', port: 5432 })
  })

  it('never runs more than `concurrency` connects at once, and spaces their starts by the rate', async () => {
    let running = 0
    let peak = 0
    const clock = fakeClock()
    const connect: Connect = async () => {
      clock.starts.push(clock.now())
      running++
      peak = Math.max(peak, running)
      await new Promise((resolve) => setImmediate(resolve))
      running--
      return { outcome: 'refused' }
    }
    await runIsolationProbes(new LocalHost(), plan.probes, { timeoutMs: 100, concurrency: 2, perSecond: 4 }, connect, clock)
    expect(peak).toBe(2)
    // Five starts at 4 per second: the last one waited for the slot at 1 s.
    expect(clock.starts).toHaveLength(5)
    expect(clock.now()).toBe(1000)
  })

  it('replays recorded results from a snapshot without connecting; an unrecorded probe is an error', async () => {
    const recorded: Record<string, ProbeResult> = { 'isolation 10.20.0.1:5432': { result: { outcome: 'connected' } } }
    const snapshot: Snapshot = { schema: snapshotSchemaId, postureVersion: 'test', host: { description: 'x' }, gatheredAt: '2026-01-01T00:00:00.000Z', domains: ['network'], files: {}, dirs: {}, commands: {}, probes: recorded }
    const connect: Connect = async () => {
      throw new Error('a snapshot must not connect')
    }
    const facts = await runIsolationProbes(new SnapshotHost(snapshot, 'test'), plan.probes.slice(0, 2), { timeoutMs: 100, concurrency: 4, perSecond: 1 }, connect)
    expect(facts[0]).toMatchObject({ reachable: true, outcome: 'connected' })
    expect(facts[1]!.error).toContain('probe isolation 10.20.0.2:5432 is not in the snapshot')
  })
})

describe('rateLimiter', () => {
  it('lets the first start at once and spaces the rest', async () => {
    const clock = fakeClock()
    const acquire = rateLimiter(10, clock)
    const starts: number[] = []
    for (let i = 0; i < 3; i++) {
      await acquire()
      starts.push(clock.now())
    }
    expect(starts).toEqual([0, 100, 200])
  })
})
