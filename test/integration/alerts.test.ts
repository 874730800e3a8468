import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import { openAgentStream } from '../../agent/agent-transport.js'
import type { AgentState } from '../../agent/agent-state.js'
import { verifySignature } from '../../collector/alerts/alert-payload.js'
import type { AlertMessage } from '../../collector/alerts/alert-events.js'
import { createAlerts, type Alerts } from '../../collector/alerts/alerts-plugin.js'
import { buildCollector, type Collector } from '../../collector/build-collector.js'
import { resolveCollectorConfig, type CollectorConfigInput } from '../../collector/collector-config.js'
import type { ScheduleRun } from '../../collector/schedule/schedule-spec.js'
import { refusedScanReport } from '../../collector/ssh/refused-scan-report.js'
import { scoredWith } from '../../collector/agent-handlers.js'
import { HostKeyChangedError } from '../../agent/host/ssh-host.js'
import { loadRuleSet, type RuleSet } from '../../rules/load-rules.js'
import { apiToken, fakeReport, joinAgent, type FakeNode } from './collector-fixtures.js'
import { Receiver } from './webhook-receiver.js'

/**
 * Alerts end to end: a real collector (TLS, agents over WebSocket) and a real HTTP
 * receiver on 127.0.0.1:0 that checks each message's signature as a user's would, and
 * each body against the documented payload (webhook-receiver.ts).
 */
let ruleSet: RuleSet
let dir: string
let collector: Collector
let alerts: Alerts
let receiver: Receiver
let hookUrl: string
let sockets: WebSocket[]

beforeAll(() => {
  ruleSet = loadRuleSet()
})
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posture-alerts-'))
  receiver = new Receiver()
  hookUrl = await receiver.listen()
  sockets = []
})
afterEach(async () => {
  for (const s of sockets) s.terminate()
  await collector.close()
  await receiver.close()
  rmSync(dir, { recursive: true, force: true })
})

async function start(delivery: NonNullable<CollectorConfigInput['alerts']>['delivery'] = {}, more: CollectorConfigInput = {}): Promise<void> {
  const dataDir = join(dir, 'data')
  const config = resolveCollectorConfig({}, { dataDir, listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 }, ...more, alerts: { sweepMs: 3_600_000, delivery: { backoffBaseMs: 30, backoffMaxMs: 200, pollMs: 50, timeoutMs: 5_000, ...delivery } } }, dataDir)
  alerts = createAlerts()
  collector = await buildCollector(config, { logger: pino({ level: 'silent' }), plugins: [alerts.plugin] })
  await collector.start()
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const token = await apiToken(collector)
  const { request } = await import('node:https')
  return new Promise((resolve, reject) => {
    const req = request(`${collector.url()}${path}`, { method, ca: collector.tls!.certPem, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> }))
    })
    req.on('error', reject)
    req.end(body ? JSON.stringify(body) : undefined)
  })
}

async function addHook(spec: Record<string, unknown> = {}): Promise<{ id: number; secret: string }> {
  const { status, json } = await api('POST', '/api/webhooks', { url: hookUrl, minSeverity: 'info', ...spec })
  expect(status).toBe(201)
  return { id: (json.webhook as { id: number }).id, secret: json.secret as string }
}

/** An agent's connection that sends report frames and counts acks. */
async function agentStream(state: AgentState): Promise<{ ws: WebSocket; acks: string[]; send(node: FakeNode, at: Date, seq: number): Promise<string> }> {
  const ws = await openAgentStream(state.collectorUrl, state.fingerprint, state.credential, 16 * 1024 * 1024)
  sockets.push(ws)
  await once(ws, 'open')
  const acks: string[] = []
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; scanId: string }
    if (m.type === 'ack') acks.push(m.scanId)
  })
  return {
    ws,
    acks,
    async send(node, at, seq) {
      const { schema: _schema, ...report } = await fakeReport(ruleSet, node, at)
      ws.send(JSON.stringify({ v: 1, type: 'report', seq, ...report }))
      return report.scanId
    },
  }
}

function eventTypes(messages: AlertMessage[]): string[] {
  return messages.flatMap((m) => m.events.map((e) => e.type)).sort()
}

describe('alerts from scans', () => {
  it('sends one signed message per node per scan: new failures, the score drop, then the resolution', async () => {
    await start()
    const { secret } = await addHook()
    const agent = await agentStream(await joinAgent(collector, join(dir, 'a')))
    const node = { hostname: 'web-1' }
    await agent.send(node, new Date('2026-03-02T10:00:00Z'), 0)
    await expect.poll(() => agent.acks.length).toBe(1)
    // All passing on the first scan: nothing to say.
    const failing = await agent.send({ ...node, synchronized: false, ntp: false }, new Date('2026-03-02T11:00:00Z'), 1)
    await expect.poll(() => receiver.received.length).toBe(1)
    const [first] = receiver.messages()
    expect(first).toMatchObject({ schema: 'posture.alert/v1', kind: 'scan', scanId: failing, node: { hostname: 'web-1' } })
    expect(first!.events.map((e) => `${e.type} ${e.subject}`).sort()).toEqual(['finding.new system.time-sync-enabled@', 'finding.new system.time-synced@', 'score.dropped score'])
    expect(first!.events.find((e) => e.type === 'score.dropped')).toMatchObject({ severity: 'critical', details: { previousScore: 100, score: 0, previousGrade: 'A', grade: 'F', gradeFell: true } })
    expect(verifySignature(receiver.received[0]!.body, secret, receiver.received[0]!.headers['x-posture-signature'] as string)).toBe(true)
    expect(verifySignature(receiver.received[0]!.body, 'whsec_wrong', receiver.received[0]!.headers['x-posture-signature'] as string)).toBe(false)
    expect(receiver.received[0]!.headers['x-posture-delivery']).toBe(first!.id)

    await agent.send(node, new Date('2026-03-02T12:00:00Z'), 2)
    await expect.poll(() => receiver.received.length).toBe(2)
    expect(receiver.messages()[1]!.events.map((e) => e.type)).toEqual(['finding.resolved', 'finding.resolved'])
    // Nothing more: each event once.
    await agent.send(node, new Date('2026-03-02T13:00:00Z'), 3)
    await expect.poll(() => agent.acks.length).toBe(4)
    await new Promise((r) => setTimeout(r, 200))
    expect(receiver.received).toHaveLength(2)
    for (const r of receiver.received) expect(verifySignature(r.body, secret, r.headers['x-posture-signature'] as string)).toBe(true)
  })

  it('filters by event type and minimum severity, and formats Slack messages as {text, blocks}', async () => {
    await start()
    await addHook({ events: ['finding.new'], minSeverity: 'medium', format: 'slack' })
    const agent = await agentStream(await joinAgent(collector, join(dir, 'a')))
    await agent.send({ hostname: 'db-<1>', synchronized: false, ntp: false }, new Date('2026-03-02T10:00:00Z'), 0)
    await expect.poll(() => receiver.received.length).toBe(1)
    const body = JSON.parse(receiver.received[0]!.body) as { text: string; blocks: { type: string; text?: { text: string } }[] }
    expect(receiver.received[0]!.headers['x-posture-signature']).toBeUndefined()
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Posture: 1 alert on db-<1>' } })
    expect(body.blocks).toHaveLength(2) // the medium failure only; the low one and the score are filtered out
    expect(body.blocks[1]!.text!.text).toContain('*finding.new* (medium) system.time-synced fails on db-&lt;1&gt;')
    expect(body.text).toContain('system.time-synced')
  })
})

describe('time-based alerts and other features', () => {
  it('fires silent nodes, SLAs approaching and breached, expiring certificates and waivers once each, grouped per node', async () => {
    await start()
    const { secret } = await addHook()
    const agent = await agentStream(await joinAgent(collector, join(dir, 'a')))
    await agent.send({ hostname: 'web-1', synchronized: true, ntp: false }, new Date('2026-03-02T10:00:00Z'), 0)
    await expect.poll(() => receiver.received.length).toBe(1) // finding.new (low)
    const [node] = await collector.store.listNodes()
    const sla = collector.store.db.prepare("SELECT sla_due FROM finding_lifecycle WHERE rule = 'system.time-sync-enabled'").get() as { sla_due: string }
    // The table as recordCertificates fills it from a stored scan's TLS facts (here with a fixed clock); the whole path, a real TLS scan through a real agent: alerts-real-paths.test.ts.
    collector.store.db.prepare('INSERT INTO alert_certificates (node_id, target, subject, not_after) VALUES (?, ?, ?, ?)').run(node!.id, 'web-1:443', 'CN=web-1', '2026-03-20T00:00:00Z')
    await collector.store.putWaiver({ id: 'w-1', rule: 'system.time-synced', justification: 'lab', approver: 'ops', created: '2026-03-01T00:00:00Z', expires: '2026-03-05T00:00:00Z' }, new Date())
    await collector.store.setNodeOffline(node!.id, '2026-03-02T12:00:00Z')

    const service = alerts.service()!
    const now = new Date('2026-03-03T00:00:00Z')
    await service.sweep(now)
    await service.sweep(now)
    await expect.poll(() => receiver.received.length).toBe(3)
    const [, nodeMessage, fleetMessage] = receiver.messages()
    expect(nodeMessage!.kind).toBe('sweep')
    expect(nodeMessage!.node).toEqual({ id: node!.id, hostname: 'web-1' })
    expect(eventTypes([nodeMessage!])).toEqual(['certificate.expiring', 'node.silent'])
    expect(nodeMessage!.events.find((e) => e.type === 'certificate.expiring')).toMatchObject({ severity: 'high', subject: 'web-1:443', details: { notAfter: '2026-03-20T00:00:00Z', daysRemaining: 17 } })
    expect(fleetMessage!.events).toMatchObject([{ type: 'waiver.expiring', node: null, subject: 'w-1', details: { expires: '2026-03-05T00:00:00Z' } }])

    // The SLA: approaching within 2 days of its due date, then breached; each once.
    const due = Date.parse(sla.sla_due)
    for (const at of [due - 3_600_000, due - 60_000, due + 60_000, due + 120_000]) await service.sweep(new Date(at))
    await expect.poll(() => receiver.received.length).toBe(5)
    const slaEvents = receiver.messages().slice(3).map((m) => m.events.filter((e) => e.type.startsWith('sla.')).map((e) => [e.type, e.subject, e.details.slaDue]))
    expect(slaEvents).toEqual([[['sla.approaching', 'system.time-sync-enabled@', sla.sla_due]], [['sla.breached', 'system.time-sync-enabled@', sla.sla_due]]])
    for (const r of receiver.received) expect(verifySignature(r.body, secret, r.headers['x-posture-signature'] as string)).toBe(true)
    await new Promise((r) => setTimeout(r, 200))
    expect(receiver.received).toHaveLength(5)
  })

  it('alerts a failed scheduled run once, and a test send reaches the destination whatever its filters', async () => {
    await start()
    const { id } = await addHook({ minSeverity: 'critical', events: ['schedule.failed', 'node.silent'] })
    const run: ScheduleRun = { id: 7, scheduleId: 3, trigger: 'slot', slot: '2026-03-02T02:00:00.000Z', missedSlots: 0, startedAt: '2026-03-02T02:00:00Z', finishedAt: '2026-03-02T02:01:00Z', status: 'failed', targeted: 1, scanned: 0, scans: [], failures: [{ target: 'legacy-1', reason: 'connect ECONNREFUSED' }] }
    // The scheduler's hook called directly (filters, test sends, once per run); a real failing run end to end: alerts-real-paths.test.ts.
    alerts.onRunFinished({ ...run, status: 'ok', failures: [] })
    // Below the destination's minimum severity (high < critical): not sent. A test send ignores filters.
    alerts.onRunFinished(run)
    const test = await api('POST', `/api/webhooks/${id}/test`)
    expect(test.status).toBe(202)
    await expect.poll(() => receiver.received.length).toBe(1)
    expect(receiver.messages()[0]).toMatchObject({ kind: 'test', id: test.json.messageId })

    const { id: second, secret: secondSecret } = await addHook({ events: ['schedule.failed'] })
    alerts.onRunFinished(run)
    alerts.onRunFinished(run)
    await expect.poll(() => receiver.received.length).toBe(2)
    expect(receiver.messages()[1]!.events).toMatchObject([{ type: 'schedule.failed', severity: 'high', details: { runId: 7, failures: [{ target: 'legacy-1', reason: 'connect ECONNREFUSED' }] } }])
    expect(verifySignature(receiver.received[1]!.body, secondSecret, receiver.received[1]!.headers['x-posture-signature'] as string)).toBe(true)
    const log = await api('GET', `/api/webhooks/${second}/deliveries`)
    expect(log.json.deliveries).toMatchObject([{ attempt: 1, outcome: 'delivered', httpStatus: 200 }])
    const listed = await api('GET', '/api/webhooks')
    expect(JSON.stringify(listed.json)).not.toContain('whsec_')
  })
})

describe('a node gone silent', () => {
  it('alerts node.silent once when the liveness watch marks the node offline, with no sweep driven by the test', async () => {
    // Heartbeat (and so the liveness watch) every 100 ms; offline after 2 missed 150 ms scan intervals.
    await start({}, { agents: { heartbeatMs: 100, missedIntervalsOffline: 2 } })
    const { secret } = await addHook({ events: ['node.silent'] })
    const agent = await agentStream(await joinAgent(collector, join(dir, 'a')))
    agent.ws.send(JSON.stringify({ v: 1, type: 'hello', agentVersion: '0.0.1', hostname: 'quiet', rulesVersion: ruleSet.version, intervalMs: 150, spool: { pending: 0, dropped: 0 } }))
    await agent.send({ hostname: 'quiet' }, new Date(), 0)
    await expect.poll(() => agent.acks.length, { timeout: 10_000 }).toBe(1)
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1)
    const [node] = await collector.store.listNodes()
    const [message] = receiver.messages()
    expect(message).toMatchObject({ kind: 'sweep', node: { id: node!.id, hostname: 'quiet' }, events: [{ type: 'node.silent', severity: 'high', subject: 'liveness', details: { offlineSince: node!.offlineSince } }] })
    expect(verifySignature(receiver.received[0]!.body, secret, receiver.received[0]!.headers['x-posture-signature'] as string)).toBe(true)
    // Still silent on every later liveness check: the same condition, not told again.
    await new Promise((r) => setTimeout(r, 500))
    expect(receiver.received).toHaveLength(1)
  })
})

describe('a changed SSH host key', () => {
  it('alerts ssh.host-key-changed with the refused scan’s new failure, once, signed, in the documented payload', async () => {
    await start()
    const { secret } = await addHook({ events: ['ssh.host-key-changed', 'finding.new'], minSeverity: 'critical' })
    const agent = await agentStream(await joinAgent(collector, join(dir, 'a')))
    await agent.send({ hostname: 'legacy-1' }, new Date('2026-03-02T10:00:00Z'), 0)
    await expect.poll(() => agent.acks.length, { timeout: 10_000 }).toBe(1)
    const [node] = await collector.store.listNodes()
    const identity = (await collector.store.latestReport(node!.id))!.node

    // What the SSH executor stores when the node presents another host key (collector/ssh/ssh-executor.ts), and its report event.
    const refuse = async (at: Date) => {
      const error = new HostKeyChangedError('[192.0.2.10]:22', { keyType: 'ssh-ed25519', fingerprint: 'SHA256:OldKeyOldKeyOldKeyOldKeyOldKeyOldKeyOldKey0', firstSeen: '2026-01-01T00:00:00Z' }, { keyType: 'ssh-ed25519', fingerprint: 'SHA256:NewKeyNewKeyNewKeyNewKeyNewKeyNewKeyNewKey1' })
      const state = collector.scoring()
      const report = refusedScanReport({ error, identity, sshNodeName: 'legacy-1', target: 'audit@192.0.2.10:22', sudo: false, domains: ['system'], ruleSet: state.ruleSet, waivers: [], labels: {}, now: at })
      const [stored] = await collector.store.ingest([{ kind: 'scan', agentId: null, seq: null, report, agentRulesVersion: null, scoredWith: scoredWith(state), receivedAt: at, labels: {}, agentVersion: null }])
      expect(stored?.status).toBe('stored')
      collector.events.emit('report', { nodeId: node!.id, scanId: report.scanId })
      return report.scanId
    }
    const scanId = await refuse(new Date('2026-03-03T10:00:00Z'))
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1)
    const [message] = receiver.messages()
    expect(message).toMatchObject({ kind: 'scan', scanId, node: { id: node!.id, hostname: 'legacy-1' } })
    expect(message!.events.map((e) => [e.type, e.severity, e.subject])).toEqual([
      ['finding.new', 'critical', 'agentless.ssh-host-key@'],
      ['ssh.host-key-changed', 'critical', 'agentless.ssh-host-key@'],
    ])
    expect(message!.events[1]!.summary).toContain('SHA256:NewKeyNewKeyNewKeyNewKeyNewKeyNewKeyNewKey1')
    expect(verifySignature(receiver.received[0]!.body, secret, receiver.received[0]!.headers['x-posture-signature'] as string)).toBe(true)

    // Once: the same report seen again, and the next refused scan while the key is still the wrong one, say nothing new.
    collector.events.emit('report', { nodeId: node!.id, scanId })
    await refuse(new Date('2026-03-04T10:00:00Z'))
    await new Promise((r) => setTimeout(r, 300))
    expect(receiver.received).toHaveLength(1)
  })
})

describe('delivery', () => {
  it('retries a receiver that fails, with backoff, until it recovers; the delivery log shows each attempt', async () => {
    await start()
    const { id, secret } = await addHook()
    receiver.script = [500, 503]
    const agent = await agentStream(await joinAgent(collector, join(dir, 'a')))
    await agent.send({ hostname: 'web-1', synchronized: false }, new Date('2026-03-02T10:00:00Z'), 0)
    await expect.poll(() => receiver.received.length, { timeout: 5_000 }).toBe(3)
    const bodies = new Set(receiver.received.map((r) => r.body))
    expect(bodies.size).toBe(1) // the same message each time, the same signature
    expect(verifySignature(receiver.received[2]!.body, secret, receiver.received[2]!.headers['x-posture-signature'] as string)).toBe(true)
    const log = await api('GET', `/api/webhooks/${id}/deliveries`)
    expect((log.json.deliveries as { attempt: number; outcome: string; httpStatus: number }[]).map((d) => [d.attempt, d.outcome, d.httpStatus]).reverse()).toEqual([
      [1, 'retry', 500],
      [2, 'retry', 503],
      [3, 'delivered', 200],
    ])
  })

  it('gives up after maxAttempts and says why', async () => {
    await start({ maxAttempts: 2 })
    const { id } = await addHook()
    receiver.script = [500, 500, 500]
    const agent = await agentStream(await joinAgent(collector, join(dir, 'a')))
    await agent.send({ hostname: 'web-1', synchronized: false }, new Date('2026-03-02T10:00:00Z'), 0)
    await expect.poll(async () => ((await api('GET', `/api/webhooks/${id}/deliveries`)).json.deliveries as unknown[]).length, { timeout: 5_000 }).toBe(2)
    const log = (await api('GET', `/api/webhooks/${id}/deliveries`)).json.deliveries as { outcome: string; error: string }[]
    expect(log[0]).toMatchObject({ outcome: 'failed', error: 'HTTP 500' })
    await new Promise((r) => setTimeout(r, 300))
    expect(receiver.received).toHaveLength(2)
  })

  it('a receiver that hangs does not slow ingestion: acks keep flowing while deliveries wait', async () => {
    await start({ concurrency: 2, timeoutMs: 60_000 })
    await addHook()
    receiver.script = Array<'hang'>(100).fill('hang')
    const agent = await agentStream(await joinAgent(collector, join(dir, 'a')))
    // Every report a different node's failure: each one queues a message.
    const started = Date.now()
    const count = 30
    for (let i = 0; i < count; i++) await agent.send({ hostname: `node-${i}`, machineId: `m${i}`, synchronized: false }, new Date(Date.UTC(2026, 2, 2, 10, i)), i)
    await expect.poll(() => agent.acks.length, { timeout: 10_000 }).toBe(count)
    const elapsed = Date.now() - started
    // Two requests hang (the concurrency limit) and the rest wait in the outbox, while every report was acked.
    await expect.poll(() => receiver.hanging.length).toBe(2)
    const pending = collector.store.db.prepare("SELECT count(*) AS n FROM alert_outbox WHERE status = 'pending'").get() as { n: number }
    expect(pending.n).toBe(count)
    expect(elapsed).toBeLessThan(10_000)
  })
})
