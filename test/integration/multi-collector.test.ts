import { once } from 'node:events'
import { request } from 'node:https'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Agent } from '../../agent/agent-runtime.js'
import { saveAgentState, type AgentState } from '../../agent/agent-state.js'
import { enroll } from '../../agent/agent-transport.js'
import { parseJoinString } from '../../agent/wire/join-string.js'
import { loadOrCreateTlsIdentity } from '../../collector/certificate/self-signed-cert.js'
import { loadOrCreateSigningKey } from '../../collector/evidence/signing-key.js'
import { closePgPool, openPgPool, type PgPool } from '../../collector/store/pg/pg-pool.js'
import { postureBin, runPosture } from '../helpers/cli.js'
import { startPgCollectorProcess, type CollectorProcess } from '../helpers/collector-process.js'
import { canRunHaproxy, startHaproxy, type TestHaproxy } from '../helpers/haproxy.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'
import { eventCount, fakeAgent } from './collector-fixtures.js'

/**
 * Two real collector processes on one real PostgreSQL, behind a real HAProxy balancing TCP
 * on loopback; agents (snapshot hosts: known results) enrolled and connected through the
 * balancer, so spread over both. Then: a dashboard live stream on one collector sees a
 * report ingested by the other; a scan requested through one reaches an agent on the
 * other; a node whose agent is on one shows online on the other; a schedule fires exactly
 * once; one collector is killed mid-stream and its agents reconnect through the balancer
 * to the survivor, with every report stored exactly once.
 */
const hasTools = canRunPostgres() && canRunHaproxy()


describe.skipIf(!hasTools)('several collectors on one PostgreSQL behind HAProxy', () => {
  let pgServer: TestPostgres
  let haproxy: TestHaproxy | undefined
  let pool: PgPool
  let dir: string
  let database: string
  let ca: string
  const collectors: CollectorProcess[] = []
  const agents: Agent[] = []

  beforeAll(async () => {
    if (!existsSync(postureBin)) throw new Error(`${postureBin} is missing: run npx tsc -p tsconfig.build.json`)
    pgServer = await startPostgres()
    database = await pgServer.createDatabase()
    pool = openPgPool({ url: database })
  }, 120_000)

  afterAll(async () => {
    for (const agent of agents) await agent.stop()
    for (const c of collectors) if (c.child.exitCode === null && c.child.signalCode === null) {
      c.child.kill('SIGTERM')
      await once(c.child, 'exit')
    }
    await haproxy?.stop()
    await closePgPool(pool)
    await pgServer?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  function startCollectorProcess(name: string, tlsDir: string, configPath: string): Promise<CollectorProcess> {
    // The signing key is shared too: a collector with another one refuses to start.
    return startPgCollectorProcess({ database, dataDir: join(dir, name), sharedDir: tlsDir, configPath, spawned: (c) => collectors.push(c) })
  }

  async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetchJson(`${base}${path}`, { method, token, ca, body })
    return response
  }

  function fetchJson(url: string, options: { method: string; token: string; ca: string; body?: unknown }): Promise<{ status: number; json: unknown }> {
    return new Promise((resolve, reject) => {
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
      const req = request(url, { method: options.method, ca: options.ca, headers: { authorization: `Bearer ${options.token}`, ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : null }))
      })
      req.on('error', reject)
      req.end(payload)
    })
  }

  /** Where each agent's WebSocket session is, by the collector process holding it. */
  async function holders(): Promise<Map<string, number>> {
    const { rows } = await pool.query<{ agent_id: string; collector_id: string }>('SELECT agent_id, collector_id FROM cluster_agent_presence')
    const byAgent = new Map<string, number>()
    for (const r of rows) {
      const index = collectors.findIndex((c) => r.collector_id.includes(`-${c.child.pid}-`))
      if (index >= 0) byAgent.set(r.agent_id, index)
    }
    return byAgent
  }

  it('shares live events, scan requests, online status and schedules, and survives losing a collector', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-multi-'))
    // One certificate for both collectors: agents pin its fingerprint, whichever collector answers.
    const tls = await loadOrCreateTlsIdentity({ dataDir: join(dir, 'shared'), hostnames: ['127.0.0.1'], now: new Date() })
    loadOrCreateSigningKey(join(dir, 'shared'))
    ca = tls.certPem
    const configPath = join(dir, 'collector.yaml')
    writeFileSync(configPath, 'schedules:\n  pollMs: 250\n  agentReportTimeoutMs: 20000\nagents:\n  heartbeatMs: 1000\nbackup:\n  intervalMs: 0\n')
    const a = await startCollectorProcess('a', join(dir, 'shared'), configPath)
    const b = await startCollectorProcess('b', join(dir, 'shared'), configPath)
    haproxy = await startHaproxy([
      { name: 'a', port: Number(new URL(a.url).port) },
      { name: 'b', port: Number(new URL(b.url).port) },
    ])
    const balancer = haproxy.url()

    const adminToken = (await runPosture(['collector', 'api-token', '--role', 'admin', '--database', database])).stdout.trim()
    expect(adminToken).toMatch(/^pt1/)

    // Four agents enrolled and connected through the balancer (least connections spreads their sockets).
    const spooled = new Set<string>()
    const idOf = new Map<Agent, string>()
    const hostnames = ['n1', 'n2', 'n3', 'n4']
    for (const hostname of hostnames) {
      const joined = await runPosture(['collector', 'token', '--database', database, '--url', balancer])
      expect(joined.code, joined.stderr).toBe(0)
      const join1 = parseJoinString(joined.stdout.trim())
      expect(join1.fingerprint).toBe(tls.fingerprint)
      const enrolled = await enroll(join1.url, join1.fingerprint, { token: join1.token, hostname, agentVersion: '0.1.0' })
      const stateDir = join(dir, `agent-${hostname}`)
      const state: AgentState = { v: 1, collectorUrl: balancer, fingerprint: join1.fingerprint, agentId: enrolled.agentId, credential: enrolled.credential, labels: enrolled.labels, enrolledAt: new Date().toISOString() }
      saveAgentState(stateDir, state)
      const agent = fakeAgent(stateDir, state, { hostname }, { scanOnStart: true, log: pino({ level: 'silent' }) })
      agent.on('spooled', ({ scanId }: { scanId: string }) => spooled.add(scanId))
      agents.push(agent)
      idOf.set(agent, enrolled.agentId)
      const acked = eventCount(agent, 'acked', 1)
      agent.start()
      await acked
    }
    const agentIds = agents.map((x) => idOf.get(x)!)
    await expect.poll(async () => (await holders()).size, { timeout: 10_000 }).toBe(4)
    const spread = await holders()
    expect(new Set(spread.values())).toEqual(new Set([0, 1]))
    const onB = agents.find((x) => spread.get(idOf.get(x)!) === 1)!
    const onA = agents.find((x) => spread.get(idOf.get(x)!) === 0)!

    // A schedule every minute, created through A: whichever collector claims a slot runs it.
    const created = await api(a.url, adminToken, 'POST', '/api/schedules', { name: 'every-minute', cron: '* * * * *', jitterMs: 0, mode: 'agent', target: { kind: 'all' }, domains: ['system'] })
    expect(created.status, JSON.stringify(created.json)).toBe(201)

    // Nodes by hostname, read through A; every node shows online on both collectors.
    const nodesOn = async (base: string) => ((await api(base, adminToken, 'GET', '/api/nodes')).json as { nodes: { id: string; hostname: string; online: boolean; agentId: string | null }[] }).nodes
    await expect.poll(async () => (await nodesOn(a.url)).filter((n) => n.online).length, { timeout: 10_000 }).toBe(4)
    await expect.poll(async () => (await nodesOn(b.url)).filter((n) => n.online).length, { timeout: 10_000 }).toBe(4)
    const nodeOf = new Map((await nodesOn(a.url)).map((n) => [n.agentId, n.id]))

    // A live stream on A sees a report ingested by B.
    const stream = openEventStream(`${a.url}/api/events`, adminToken, ca)
    try {
      await stream.ready
      const acked = eventCount(onB, 'acked', 1)
      void onB.scanNow()
      await acked
      await expect.poll(() => stream.text(), { timeout: 10_000 }).toContain(`event: report\ndata: {"nodeId":"${nodeOf.get(idOf.get(onB)!)}"}`)
    } finally {
      stream.close()
    }

    // A scan requested through A reaches the agent on B, and its report comes back.
    const ackedScans: string[] = []
    onB.on('acked', ({ scanId }: { scanId: string }) => ackedScans.push(scanId))
    const requested = await api(a.url, adminToken, 'POST', `/api/nodes/${nodeOf.get(idOf.get(onB)!)}/scan`, {})
    expect(requested.status, JSON.stringify(requested.json)).toBe(202)
    const { scanId } = requested.json as { scanId: string }
    await expect.poll(() => ackedScans, { timeout: 10_000 }).toContain(scanId)
    // And through B to the agent on A.
    const requested2 = await api(b.url, adminToken, 'POST', `/api/nodes/${nodeOf.get(idOf.get(onA)!)}/scan`, {})
    expect(requested2.status).toBe(202)

    // The schedule's first slot: one run, by one collector, every agent scanned once for it.
    type Run = { id: number; slot: string | null; trigger: string; status: string; scans: { nodeId: string; scanId: string }[] }
    const runs = async () => ((await api(b.url, adminToken, 'GET', '/api/schedules/every-minute/runs')).json as { runs: Run[] }).runs
    try {
      await expect.poll(async () => (await runs()).filter((r) => r.status !== 'running').length, { timeout: 150_000, interval: 500 }).toBeGreaterThanOrEqual(1)
    } catch (err) {
      throw new Error(`no finished run: ${JSON.stringify(await runs())}\n--- a ---\n${a.output().slice(-3000)}\n--- b ---\n${b.output().slice(-3000)}`, { cause: err })
    }
    const firstRun = (await runs()).at(-1)!
    expect(firstRun).toMatchObject({ status: 'ok', scans: expect.any(Array) })
    expect(new Set(firstRun.scans.map((s) => s.nodeId))).toEqual(new Set(nodeOf.values()))
    // Both collectors polled the schedule meanwhile; still one run per slot in the database.
    await new Promise((r) => setTimeout(r, 1_000))
    const perSlot = await pool.query<{ slot: string; n: number }>('SELECT slot, count(*) AS n FROM schedule_runs WHERE slot IS NOT NULL GROUP BY slot')
    for (const row of perSlot.rows) expect(row, `slot ${row.slot}`).toMatchObject({ n: 1 })
    const claims = await pool.query<{ n: number }>("SELECT count(*) AS n FROM cluster_claims WHERE name = 'schedule-slot'")
    expect(Number(claims.rows[0]!.n)).toBe(perSlot.rows.length)

    // Kill A while every agent streams reports: its agents come back through the balancer to B.
    const killedAgents = agents.filter((x) => spread.get(idOf.get(x)!) === 0)
    const streaming = agents.map(async (agent) => {
      for (let i = 0; i < 6; i++) await agent.scanNow()
    })
    await new Promise((r) => setTimeout(r, 150))
    a.child.kill('SIGKILL')
    await once(a.child, 'exit')
    await Promise.all(streaming)
    await expect.poll(() => agents.map((x) => x.spool.pending), { timeout: 30_000, interval: 250 }).toEqual([0, 0, 0, 0])
    await expect.poll(async () => [...(await holders()).entries()].filter(([id]) => agentIds.includes(id)).map(([, c]) => c), { timeout: 10_000 }).toEqual([1, 1, 1, 1])
    expect(killedAgents.length).toBeGreaterThan(0)

    // Nothing lost, nothing doubled: every report an agent spooled is stored exactly once.
    const stored = await pool.query<{ scan_id: string }>("SELECT scan_id FROM scans WHERE kind = 'scan'")
    const storedIds = stored.rows.map((r) => r.scan_id)
    expect(storedIds.length).toBe(new Set(storedIds).size)
    expect(new Set(storedIds)).toEqual(spooled)
    expect(storedIds.length).toBeGreaterThanOrEqual(4 + 1 + 2 + 4 + 24)
    // B still answers for every node.
    expect((await nodesOn(b.url)).map((n) => n.hostname).sort()).toEqual(hostnames)
  }, 360_000)
})

/** An SSE client for /api/events over the pinned certificate. */
function openEventStream(url: string, token: string, ca: string): { ready: Promise<void>; text(): string; close(): void } {
  let text = ''
  let close = () => {}
  const ready = new Promise<void>((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET ${url}: ${res.statusCode}`))
      res.on('data', (d: Buffer) => {
        text += d.toString()
        if (text.includes('retry:')) resolve()
      })
    })
    req.on('error', (err) => reject(err))
    req.end()
    close = () => req.destroy()
  })
  return { ready, text: () => text, close: () => close() }
}
