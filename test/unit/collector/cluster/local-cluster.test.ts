import { describe, expect, it } from 'vitest'
import type { CollectorMessage } from '../../../../agent/wire/messages.js'
import { onLeader } from '../../../../collector/cluster/cluster.js'
import { LocalCluster } from '../../../../collector/cluster/local-cluster.js'

/** A cluster of one (SQLite): what one collector did before clustering, unchanged. */
describe('LocalCluster', () => {
  const sent: CollectorMessage[] = []
  const session = { agent: { id: 'a1' }, connectedAt: 1_000, lastReportAt: 2_000, intervalMs: 60_000, send: (m: CollectorMessage) => sent.push(m) }
  const cluster = new LocalCluster({ session: (id) => (id === 'a1' ? session : undefined) })

  it('sends to local sessions only, and says false for an agent not connected here', async () => {
    const scan: CollectorMessage = { v: 1, type: 'scan', scanId: '11111111-1111-4111-8111-111111111111' }
    expect(await cluster.sendToAgent('a1', scan)).toBe(true)
    expect(await cluster.sendToAgent('a2', scan)).toBe(false)
    expect(sent).toEqual([scan])
  })

  it('reports presence from the local session', () => {
    expect(cluster.presence('a1')).toEqual({ agentId: 'a1', collectorId: 'local', connectedAt: 1_000, lastReportAt: 2_000, intervalMs: 60_000 })
    expect(cluster.presence('a2')).toBeUndefined()
  })

  it('grants every claim, always leads, has no peers, and keeps events in the process', async () => {
    expect(await cluster.claimOnce('schedule-slot', '1@x')).toBe(true)
    expect(await cluster.claimOnce('schedule-slot', '1@x')).toBe(true)
    expect(cluster.leads()).toBe(true)
    expect(cluster.peers()).toBe(0)
    const heard: unknown[] = []
    cluster.events.on('report', (e) => heard.push(e))
    cluster.events.emit('report', { nodeId: 'n', scanId: 's' })
    expect(heard).toEqual([{ nodeId: 'n', scanId: 's' }])
  })

  it('onLeader runs a job only while the cluster says this collector leads', () => {
    let leads = true
    const runs: number[] = []
    const job = onLeader({ leads: () => leads }, (n: number) => runs.push(n))
    job(1)
    leads = false
    job(2)
    expect(runs).toEqual([1])
  })
  it('runs exclusive jobs one after the other, and a failed one does not hold the lock', async () => {
    const order: string[] = []
    let release = () => {}
    const first = cluster.exclusively('rescore', async () => {
      order.push('first start')
      await new Promise<void>((resolve) => (release = resolve))
      order.push('first end')
      throw new Error('rescoring failed')
    })
    const second = cluster.exclusively('rescore', async () => {
      order.push('second')
      return 2
    })
    await new Promise((r) => setImmediate(r))
    expect(order).toEqual(['first start'])
    release()
    await expect(first).rejects.toThrow('rescoring failed')
    expect(await second).toBe(2)
    expect(order).toEqual(['first start', 'first end', 'second'])
  })
})
