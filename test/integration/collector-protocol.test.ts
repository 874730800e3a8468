import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import type { Agent } from '../../agent/agent-runtime.js'
import type { AgentState } from '../../agent/agent-state.js'
import { openAgentStream } from '../../agent/agent-transport.js'
import { closeCodes } from '../../agent/wire/close-codes.js'
import type { Collector } from '../../collector/build-collector.js'
import { SqliteStore } from '../../collector/store/sqlite-store.js'
import { loadRuleSet, type RuleSet } from '../../rules/load-rules.js'
import { captureLog, eventCount, fakeAgent, fakeReport, joinAgent, startCollector } from './collector-fixtures.js'

let ruleSet: RuleSet
let dir: string
let collector: Collector
let logs: ReturnType<typeof captureLog>
let agents: Agent[]
let sockets: WebSocket[]

beforeAll(() => {
  ruleSet = loadRuleSet()
})
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posture-protocol-'))
  logs = captureLog()
  collector = await startCollector(join(dir, 'data'), { agents: { maxPayloadBytes: 256 * 1024, messageBurst: 20, messagesPerSecond: 5, revocationPollMs: 100 } }, logs.log)
  agents = []
  sockets = []
})
afterEach(async () => {
  // Refused upgrades never opened; the server already hung up on them.
  for (const s of sockets) if (s.readyState === s.OPEN || s.readyState === s.CLOSING) s.terminate()
  for (const a of agents) await a.stop()
  await collector.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A hand-driven agent connection with a real credential, for sending what a good agent never would. */
async function rawClient(state: AgentState, credential = state.credential): Promise<WebSocket> {
  const ws = await openAgentStream(state.collectorUrl, state.fingerprint, credential, 16 * 1024 * 1024)
  sockets.push(ws)
  return ws
}

async function opened(ws: WebSocket): Promise<void> {
  await once(ws, 'open')
}

/** The error frame and close code the collector ends a connection with. */
async function closedWith(ws: WebSocket): Promise<{ code: number; errorCode: string | null }> {
  let errorCode: string | null = null
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; code?: string }
    if (message.type === 'error') errorCode = message.code ?? null
  })
  const [code] = (await once(ws, 'close')) as [number]
  return { code, errorCode }
}

async function reportFrame(hostname: string, seq: number, scanId?: string): Promise<string> {
  const { schema: _schema, ...report } = await fakeReport(ruleSet, { hostname }, new Date('2026-03-02T10:00:00Z'), scanId)
  return JSON.stringify({ v: 1, type: 'report', seq, ...report })
}

function scanCount(): number {
  return (collector.store.db.prepare('SELECT count(*) AS n FROM scans').get() as { n: number }).n
}

function logged(message: string, fields: Record<string, unknown> = {}): boolean {
  return logs.lines().some((l) => l.msg === message && Object.entries(fields).every(([k, v]) => l[k] === v))
}

describe('wire protocol at the collector', () => {
  it('refuses an unauthenticated or forged upgrade with HTTP 401, before any WebSocket exists', async () => {
    const state = await joinAgent(collector, join(dir, 'a1'))
    for (const credential of ['', 'pa1.AAAAAAAAAAAA.' + 'A'.repeat(43), state.credential.slice(0, -1) + (state.credential.endsWith('A') ? 'B' : 'A')]) {
      const ws = await rawClient(state, credential)
      const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number; resume(): void }]
      response.resume()
      expect(response.statusCode).toBe(401)
    }
    expect(logs.lines().filter((l) => l.msg === 'agent upgrade refused' && l.status === 401)).toHaveLength(3)
    expect(JSON.stringify(logs.lines())).not.toContain(state.credential)
  })

  it.each([
    ['bad JSON', (): string => '{"v":1,"type":', 'BAD_JSON'],
    ['a message matching no schema', (): string => JSON.stringify({ v: 1, type: 'report', seq: 'one' }), 'BAD_MESSAGE'],
    ['an unknown protocol version', (): string => JSON.stringify({ v: 9, type: 'hello' }), 'UNSUPPORTED_VERSION'],
  ] as const)('closes on %s with its close code and error frame, logs it, and keeps serving other agents', async (_name, frame, reason) => {
    const good = await joinAgent(collector, join(dir, 'good'))
    const bad = await joinAgent(collector, join(dir, 'bad'))
    const ws = await rawClient(bad)
    await opened(ws)
    const closed = closedWith(ws)
    ws.send(frame())
    expect(await closed).toEqual({ code: closeCodes[reason], errorCode: reason })
    expect(logged('closing agent connection', { reason, agentId: bad.agentId })).toBe(true)

    const agent = fakeAgent(join(dir, 'good'), good, { hostname: 'well-behaved' })
    agents.push(agent)
    const acked = eventCount(agent, 'acked', 1)
    agent.start()
    await acked
    expect((await collector.store.listNodes()).map((n) => n.hostname)).toEqual(['well-behaved'])
  })

  it('closes an oversized frame with 1009 (maxPayload) and logs it', async () => {
    const state = await joinAgent(collector, join(dir, 'big'))
    const ws = await rawClient(state)
    await opened(ws)
    const closed = closedWith(ws)
    ws.send(JSON.stringify({ v: 1, type: 'hello', padding: 'x'.repeat(300 * 1024) }))
    expect((await closed).code).toBe(closeCodes.MESSAGE_TOO_BIG)
    await expect.poll(() => logged('agent connection error', { agentId: state.agentId })).toBe(true)
  })

  it('closes a flood of messages with 4008 after the burst allowance', async () => {
    const state = await joinAgent(collector, join(dir, 'flood'))
    const ws = await rawClient(state)
    await opened(ws)
    const closed = closedWith(ws)
    const hello = JSON.stringify({ v: 1, type: 'hello', agentVersion: '0.1.0', hostname: 'f', rulesVersion: 'x', intervalMs: 1000, spool: { pending: 0, dropped: 0 } })
    for (let i = 0; i < 200; i++) ws.send(hello)
    expect(await closed).toEqual({ code: closeCodes.RATE_LIMITED, errorCode: 'RATE_LIMITED' })
    expect(logged('closing agent connection', { reason: 'RATE_LIMITED' })).toBe(true)
  })

  it('stores a report with its own rules version without evaluating its facts; invalid facts to evaluate close with 4001', async () => {
    const state = await joinAgent(collector, join(dir, 'facts'))
    const ws = await rawClient(state)
    await opened(ws)
    const acks: string[] = []
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; scanId: string }
      if (m.type === 'ack') acks.push(m.scanId)
    })
    const frame = JSON.parse(await reportFrame('facts-node', 0, 'scan-facts-1')) as Record<string, unknown>
    ws.send(JSON.stringify({ ...frame, facts: { system: { hostname: 42 } } }))
    await expect.poll(() => acks).toEqual(['scan-facts-1'])
    const closed = closedWith(ws)
    ws.send(JSON.stringify({ ...frame, scanId: 'scan-facts-2', seq: 1, rulesVersion: 'other+000000000000', facts: { system: { hostname: 42 } } }))
    expect(await closed).toEqual({ code: closeCodes.BAD_MESSAGE, errorCode: 'BAD_MESSAGE' })
    expect(logs.lines().some((l) => l.msg === 'closing agent connection' && l.reason === 'BAD_MESSAGE' && String(l.detail).includes('invalid facts at facts.system.hostname'))).toBe(true)
    expect(scanCount()).toBe(1)
  })

  it('stores a report sent twice once, and acks both (duplicate the second time)', async () => {
    const state = await joinAgent(collector, join(dir, 'dup'))
    const ws = await rawClient(state)
    await opened(ws)
    const acks: { scanId: string; duplicate: boolean }[] = []
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; scanId: string; duplicate: boolean }
      if (m.type === 'ack') acks.push({ scanId: m.scanId, duplicate: m.duplicate })
    })
    const frame = await reportFrame('dup-node', 0, 'scan-dup-1')
    ws.send(frame)
    ws.send(frame)
    await expect.poll(() => acks.length).toBe(2)
    expect(acks).toEqual([{ scanId: 'scan-dup-1', duplicate: false }, { scanId: 'scan-dup-1', duplicate: true }])
    expect(scanCount()).toBe(1)
  })

  it('closes a revoked agent with 4003, and refuses it afterwards', async () => {
    const state = await joinAgent(collector, join(dir, 'rev'))
    const agent = fakeAgent(join(dir, 'rev'), state, { hostname: 'revoked-node' })
    agents.push(agent)
    const acked = eventCount(agent, 'acked', 1)
    agent.start()
    await acked
    const disconnected = eventCount(agent, 'disconnected', 1)
    const fatal = eventCount(agent, 'fatal', 1)
    expect(await collector.revokeAgent(state.agentId)).toBe(true)
    expect(await disconnected).toEqual([{ code: closeCodes.CREDENTIAL_REVOKED }])
    await fatal
    const ws = await rawClient(state)
    const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number; resume(): void }]
    response.resume()
    expect(response.statusCode).toBe(401)
    expect(logged('agent upgrade refused', { reason: 'agent credential revoked' })).toBe(true)
  })

  it('picks up a revocation made by another process on the same database (posture collector revoke)', async () => {
    const state = await joinAgent(collector, join(dir, 'rev2'))
    const ws = await rawClient(state)
    await opened(ws)
    const closed = closedWith(ws)
    const other = new SqliteStore(join(dir, 'data', 'posture.db'), ruleSet.scoring)
    await other.revokeAgent(state.agentId, new Date())
    other.close()
    expect(await closed).toEqual({ code: closeCodes.CREDENTIAL_REVOKED, errorCode: 'CREDENTIAL_REVOKED' })
  })
})

describe('delivery across collector restarts', () => {
  it('delivers every spooled report once after the collector comes back, nothing lost, nothing doubled', async () => {
    const dataDir = join(dir, 'data')
    const state = await joinAgent(collector, join(dir, 'spool-agent'))
    const agent = fakeAgent(join(dir, 'spool-agent'), state, { hostname: 'patient' })
    agents.push(agent)
    const first = eventCount(agent, 'acked', 1)
    agent.start()
    await first
    const port = Number(new URL(collector.url()!).port)

    await collector.close()
    for (let i = 0; i < 5; i++) await agent.scanNow()
    expect(agent.spool.pending).toBe(5)
    const spooled = agent.spool.entries().map((e) => e.scanId)

    // Back on the same port and data directory; then down again mid-replay, and back once more.
    const acked = eventCount(agent, 'acked', 5)
    collector = await startCollector(dataDir, { listen: { host: '127.0.0.1', port } }, logs.log)
    await eventCount(agent, 'acked', 1)
    await collector.close()
    collector = await startCollector(dataDir, { listen: { host: '127.0.0.1', port } }, logs.log)
    const ackedIds = ((await acked) as { scanId: string }[]).map((a) => a.scanId)
    await expect.poll(() => agent.spool.pending).toBe(0)

    expect(new Set(ackedIds)).toEqual(new Set(spooled))
    const rows = collector.store.db.prepare("SELECT scan_id FROM scans WHERE kind = 'scan' ORDER BY pk").all() as { scan_id: string }[]
    expect(rows).toHaveLength(6)
    expect(rows.slice(1).map((r) => r.scan_id)).toEqual(spooled)
  })
})
