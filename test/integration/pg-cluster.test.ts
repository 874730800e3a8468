import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import type { CollectorMessage } from '../../agent/wire/messages.js'
import type { SessionView } from '../../collector/cluster/cluster.js'
import { PgCluster } from '../../collector/cluster/pg-cluster.js'
import { closePgPool, openPgPool, type PgPool } from '../../collector/store/pg/pg-pool.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'

/**
 * PgCluster against a real PostgreSQL: two cluster members in one process, each with its
 * own pool and LISTEN connection, as two collectors would have.
 */
const hasPg = canRunPostgres()

type FakeSession = SessionView & { send(message: CollectorMessage): void; sent: CollectorMessage[] }

function fakeSession(agentId: string): FakeSession {
  const sent: CollectorMessage[] = []
  return { agent: { id: agentId }, connectedAt: Date.now(), lastReportAt: null, intervalMs: 60_000, sent, send: (m) => sent.push(m) }
}

const scan = (scanId: string): CollectorMessage => ({ v: 1, type: 'scan', scanId })

describe.skipIf(!hasPg)('PgCluster', () => {
  let server: TestPostgres
  let url: string
  let pools: PgPool[] = []
  let members: PgCluster[] = []

  beforeAll(async () => {
    server = await startPostgres()
  }, 120_000)
  afterAll(async () => server?.stop())
  afterEach(async () => {
    for (const m of members) await m.close()
    for (const p of pools) await closePgPool(p)
    members = []
    pools = []
  })

  async function member(sessions: Map<string, FakeSession>, options: { leaseTtlMs?: number } = {}): Promise<PgCluster> {
    const pool = openPgPool({ url })
    pools.push(pool)
    const cluster = new PgCluster({ pool, url, sessions: { session: (id) => sessions.get(id) }, log: pino({ level: 'silent' }), heartbeatMs: 150, memberTtlMs: 1_500, leaseTtlMs: options.leaseTtlMs ?? 600 })
    members.push(cluster)
    await cluster.start()
    return cluster
  }

  it('carries events to the other collector (marked remote), never back to their origin', async () => {
    url = await server.createDatabase()
    const a = await member(new Map())
    const b = await member(new Map())
    const atA: unknown[] = []
    const atB: unknown[] = []
    a.events.on('report', (e) => atA.push(e))
    b.events.on('report', (e) => atB.push(e))
    b.events.on('node-offline', (e) => atB.push(e))
    b.events.on('rescore', (e) => atB.push(e))
    a.events.emit('report', { nodeId: 'n1', scanId: 's1' })
    a.events.emit('node-offline', { nodeId: 'n2' })
    // A re-score's copy refreshes B's live views; its cause (for alerts) stays on A.
    a.events.emit('rescore', { nodeId: 'n3', scanId: 's3', cause: { type: 'rescore', reasons: [] } as never })
    await expect.poll(() => atB, { timeout: 5_000 }).toEqual([
      { nodeId: 'n1', scanId: 's1', remote: true },
      { nodeId: 'n2', remote: true },
      { nodeId: 'n3', scanId: 's3', remote: true },
    ])
    // A heard its own event once, locally; B's remote copy was not sent back around.
    await new Promise((r) => setTimeout(r, 300))
    expect(atA).toEqual([{ nodeId: 'n1', scanId: 's1' }])
    expect(atB).toHaveLength(3)
  }, 30_000)

  it('shows an agent connected to one collector as present on the other, and passes it commands', async () => {
    url = await server.createDatabase()
    const sessionsB = new Map<string, FakeSession>()
    const a = await member(new Map())
    const b = await member(sessionsB)
    const agent = fakeSession('agent-1')
    sessionsB.set('agent-1', agent)
    b.sessionOpened(agent)
    await expect.poll(() => a.presence('agent-1')?.collectorId, { timeout: 5_000 }).toBe(b.collectorId)
    expect(a.presence('agent-1')).toMatchObject({ agentId: 'agent-1', connectedAt: agent.connectedAt, lastReportAt: null, intervalMs: 60_000 })

    agent.lastReportAt = Date.now()
    b.sessionSeen(agent)
    await expect.poll(() => a.presence('agent-1')?.lastReportAt, { timeout: 5_000 }).toBe(agent.lastReportAt)

    expect(await a.sendToAgent('agent-1', scan('11111111-1111-4111-8111-111111111111'))).toBe(true)
    expect(agent.sent).toEqual([scan('11111111-1111-4111-8111-111111111111')])
    expect(await a.sendToAgent('nobody', scan('22222222-2222-4222-8222-222222222222'))).toBe(false)

    sessionsB.delete('agent-1')
    b.sessionClosed(agent)
    await expect.poll(() => a.presence('agent-1'), { timeout: 5_000 }).toBeUndefined()
    expect(await a.sendToAgent('agent-1', scan('33333333-3333-4333-8333-333333333333'))).toBe(false)
  }, 30_000)

  it('forgets the agents of a collector that stops heartbeating (killed), and says no to commands for them', async () => {
    url = await server.createDatabase()
    const sessionsB = new Map<string, FakeSession>()
    const a = await member(new Map())
    const b = await member(sessionsB)
    const agent = fakeSession('agent-k')
    sessionsB.set('agent-k', agent)
    b.sessionOpened(agent)
    await expect.poll(() => a.presence('agent-k')?.collectorId, { timeout: 5_000 }).toBe(b.collectorId)
    // B's heartbeat row ages as if its process had died (its own heartbeat is stopped first).
    await b.close()
    await pools[0]!.query('INSERT INTO cluster_members (id) VALUES ($1)', [b.collectorId])
    await pools[0]!.query("INSERT INTO cluster_agent_presence (agent_id, collector_id, connected_at) VALUES ('agent-k', $1, 1)", [b.collectorId])
    await expect.poll(() => a.presence('agent-k')?.collectorId, { timeout: 5_000 }).toBe(b.collectorId)
    await pools[0]!.query("UPDATE cluster_members SET seen_at = now() - interval '1 hour' WHERE id = $1", [b.collectorId])
    await expect.poll(() => a.presence('agent-k'), { timeout: 5_000 }).toBeUndefined()
    expect(await a.sendToAgent('agent-k', scan('44444444-4444-4444-8444-444444444444'))).toBe(false)
  }, 30_000)

  it('grants each claim once, to one collector', async () => {
    url = await server.createDatabase()
    const a = await member(new Map())
    const b = await member(new Map())
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).claimOnce('schedule', '7@2026-11-23T20:00:00.000Z')))
    expect(claims.filter(Boolean)).toHaveLength(1)
    expect(await a.claimOnce('schedule', '7@2026-11-23T20:05:00.000Z')).toBe(true)
    expect(await b.claimOnce('schedule', '7@2026-11-23T20:05:00.000Z')).toBe(false)
  }, 30_000)

  it('has exactly one leader; when it leaves, the other takes over', async () => {
    url = await server.createDatabase()
    const a = await member(new Map())
    const b = await member(new Map())
    await expect.poll(() => [a.leads(), b.leads()].filter(Boolean).length, { timeout: 5_000 }).toBe(1)
    const [leader, other] = a.leads() ? [a, b] : [b, a]
    await leader.close()
    expect(leader.leads()).toBe(false)
    await expect.poll(() => other.leads(), { timeout: 5_000 }).toBe(true)
  }, 30_000)

  it('takes the lease over from a collector that died holding it, once it expires', async () => {
    url = await server.createDatabase()
    const a = await member(new Map())
    await expect.poll(() => a.leads(), { timeout: 5_000 }).toBe(true)
    // A dead holder: its row stays until it expires.
    await pools[0]!.query("UPDATE cluster_leases SET holder = 'dead-collector', expires_at = now() + interval '800 milliseconds' WHERE name = 'leader'")
    await expect.poll(() => a.leads(), { timeout: 5_000 }).toBe(false)
    await expect.poll(() => a.leads(), { timeout: 5_000 }).toBe(true)
  }, 30_000)

  it('reconnects its LISTEN connection when the server drops it, and events flow again', async () => {
    url = await server.createDatabase()
    const a = await member(new Map())
    const b = await member(new Map())
    const atB: string[] = []
    b.events.on('report', (e) => atB.push(e.scanId))
    a.events.emit('report', { nodeId: 'n', scanId: 'before' })
    await expect.poll(() => atB, { timeout: 5_000 }).toEqual(['before'])
    const killed = await pools[0]!.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'posture-cluster-listen' AND datname = current_database()")
    expect(killed.rowCount).toBe(2)
    // Keep emitting until B hears one: the reconnect takes a backoff step.
    await expect
      .poll(
        () => {
          a.events.emit('report', { nodeId: 'n', scanId: 'after' })
          return atB.includes('after')
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true)
  }, 30_000)

  it('runs exclusive jobs on one collector at a time; the other waits past its statement timeout, then runs', async () => {
    url = await server.createDatabase()
    const a = await member(new Map())
    const pool = openPgPool({ url, statementTimeoutMs: 200 })
    pools.push(pool)
    const b = new PgCluster({ pool, url, sessions: { session: () => undefined }, log: pino({ level: 'silent' }), heartbeatMs: 150, memberTtlMs: 1_500, leaseTtlMs: 600 })
    members.push(b)
    await b.start()
    const order: string[] = []
    let release = () => {}
    let holding = () => {}
    const held = new Promise<void>((resolve) => (holding = resolve))
    const first = a.exclusively('rescore', async () => {
      order.push('a start')
      holding()
      await new Promise<void>((resolve) => (release = resolve))
      order.push('a end')
    })
    await held
    const second = b.exclusively('rescore', async () => void order.push('b'))
    // Longer than B's statement timeout: B is still waiting, not failed.
    await new Promise((r) => setTimeout(r, 600))
    expect(order).toEqual(['a start'])
    release()
    await first
    await second
    expect(order).toEqual(['a start', 'a end', 'b'])
    // B's connection is back in its pool with the timeout in force again.
    await expect(pool.query('SELECT pg_sleep(1)')).rejects.toThrow(/statement timeout/)
  }, 30_000)

  it('announces a rule reload to the others with its origin, and asks for a catch-up reload after its LISTEN connection comes back', async () => {
    url = await server.createDatabase()
    const a = await member(new Map())
    const b = await member(new Map())
    const atA: unknown[] = []
    const atB: unknown[] = []
    a.events.on('rules-reloaded', (e) => atA.push(e))
    b.events.on('rules-reloaded', (e) => atB.push(e))
    a.events.emit('rules-reloaded', { version: 'v2' })
    await expect.poll(() => atB, { timeout: 5_000 }).toEqual([{ version: 'v2', collectorId: a.collectorId, remote: true }])
    expect(atA).toEqual([{ version: 'v2' }])
    // B's LISTEN connection dropped: announcements may have been lost meanwhile, so B asks for a reload on return.
    await pools[1]!.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'posture-cluster-listen' AND datname = current_database()")
    await expect.poll(() => atB.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2)
    expect(atB[1]).toEqual({ version: '', remote: true })
  }, 30_000)
})
