import { once } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import { openAgentStream } from '../../agent/agent-transport.js'
import { verifySignature } from '../../collector/alerts/alert-payload.js'
import { createAlerts } from '../../collector/alerts/alerts-plugin.js'
import { buildCollector, type Collector } from '../../collector/build-collector.js'
import { resolveCollectorConfig } from '../../collector/collector-config.js'
import { createEvidence } from '../../collector/evidence/evidence-plugin.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { apiToken, fakeReport, joinAgent, type FakeNode } from './collector-fixtures.js'
import { Receiver } from './webhook-receiver.js'

/**
 * Alerts for drops caused by re-scoring stored facts, with no new scan: a changed rule
 * param (user rules dir + reloadRules), a removed waiver and an expired one (found by the
 * waivers watch on the collector's clock). Each raises the events a scan would, once,
 * marked with its cause, signed, in the documented payload (webhook-receiver.ts).
 */
let dir: string
let rulesDir: string
let collector: Collector
let receiver: Receiver
let sockets: WebSocket[]
let offsetMs: number

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posture-alerts-rescore-'))
  rulesDir = join(dir, 'rules')
  mkdirSync(rulesDir)
  receiver = new Receiver()
  sockets = []
  offsetMs = 0
})
afterEach(async () => {
  for (const s of sockets) s.terminate()
  await collector?.close()
  await receiver.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A site rule with a param: the node's virtualization must be one of `allowed`. */
function writeSiteRule(allowed: string[]): void {
  writeFileSync(
    join(rulesDir, 'site.yaml'),
    `- id: site.virtualization-allowed
  title: Nodes run on the virtualization we sell
  domain: system
  severity: high
  check: facts.system.virtualization in params.allowed
  message: "virtualization is {{ facts.system.virtualization }}"
  params: { allowed: ${JSON.stringify(allowed)} }
  rationale: Customers are promised dedicated KVM guests.
  remediation: Move the node to a KVM host.
  tests:
    - { facts: { system: { virtualization: kvm } }, params: { allowed: [kvm] }, expect: pass }
    - { facts: { system: { virtualization: lxc } }, params: { allowed: [kvm] }, expect: fail }
`,
  )
}

async function start(): Promise<{ hookSecret: string; send: (node: FakeNode, at: Date, seq: number) => Promise<string>; acks: string[] }> {
  const dataDir = join(dir, 'data')
  const config = resolveCollectorConfig(
    {},
    { dataDir, rulesDirs: [rulesDir], listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 }, alerts: { sweepMs: 3_600_000, delivery: { backoffBaseMs: 30, backoffMaxMs: 200, pollMs: 50 } } },
    dataDir,
  )
  const alerts = createAlerts()
  const evidence = createEvidence({ watchEveryMs: 50 })
  collector = await buildCollector(config, { logger: pino({ level: 'silent' }), clock: () => new Date(Date.now() + offsetMs), plugins: [evidence.plugin, alerts.plugin] })
  evidence.attach(collector)
  await collector.start()

  const hook = await api('POST', '/api/webhooks', { url: await receiver.listen(), minSeverity: 'info' })
  expect(hook.status).toBe(201)
  const state = await joinAgent(collector, join(dir, 'agent'))
  const ws = await openAgentStream(state.collectorUrl, state.fingerprint, state.credential, 16 * 1024 * 1024)
  sockets.push(ws)
  await once(ws, 'open')
  const acks: string[] = []
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; scanId: string }
    if (m.type === 'ack') acks.push(m.scanId)
  })
  // The agent evaluates with the built-in rules; the collector scores again with its own (the site rule).
  const builtIn = loadRuleSet()
  const send = async (node: FakeNode, at: Date, seq: number) => {
    const { schema: _schema, ...report } = await fakeReport(builtIn, node, at)
    ws.send(JSON.stringify({ v: 1, type: 'report', seq, ...report }))
    return report.scanId
  }
  return { hookSecret: hook.json.secret as string, send, acks }
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const token = await apiToken(collector)
  const response = await collector.app.inject({ method: method as 'GET', url: path, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body as Record<string, unknown> } : {}) })
  return { status: response.statusCode, json: response.json() }
}

describe('alerts from re-scoring', () => {
  it('a changed rule param, a removed waiver and an expired waiver each raise their events once, marked with the cause', async () => {
    writeSiteRule(['kvm'])
    const { hookSecret, send, acks } = await start()
    const versionBefore = collector.scoring().ruleSet.version
    const waiver = { justification: 'NTP appliance replaced next week', approver: 'ops-lead', created: new Date().toISOString() }
    await collector.putWaiver({ id: 'w-ntp', rule: 'system.time-synced', ...waiver, expires: new Date(Date.now() + 30 * 86_400_000).toISOString() })
    await collector.putWaiver({ id: 'w-short', rule: 'system.time-sync-enabled', ...waiver, expires: new Date(Date.now() + 3_600_000).toISOString() })

    // Both time-sync rules fail but are waived; the site rule (high) passes: 100, A. Nothing to say.
    const node = { hostname: 'kvm-1', synchronized: false, ntp: false }
    await send(node, new Date(), 0)
    await expect.poll(() => acks.length, { timeout: 10_000 }).toBe(1)
    const [stored] = await collector.store.listNodes()
    expect(stored).toMatchObject({ score: 100, grade: 'A' })
    const nodeRef = { id: stored!.id, hostname: 'kvm-1' }

    // 1. A changed param: the site rule now fails. Its failure is new and the grade falls A → F.
    writeSiteRule(['vmware'])
    expect(await collector.reloadRules()).toMatchObject({ changed: true, rescored: 1 })
    const versionAfter = collector.scoring().ruleSet.version
    expect(versionAfter).not.toBe(versionBefore)
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1)
    const [byRules] = receiver.messages()
    const rulesCause = { type: 'rescore', rulesVersion: { previous: versionBefore, current: versionAfter }, waivers: [] }
    expect(byRules).toMatchObject({ kind: 'rescore', node: nodeRef })
    expect(byRules!.scanId).toMatch(/^rescore-/)
    expect(byRules!.events.map((e) => [e.type, e.subject, e.severity])).toEqual([
      ['finding.new', 'site.virtualization-allowed@', 'high'],
      ['score.dropped', 'score', 'critical'],
    ])
    for (const e of byRules!.events) expect(e.cause).toEqual(rulesCause)
    expect(byRules!.events[0]!.details).toMatchObject({ rule: 'site.virtualization-allowed', status: 'fail', message: 'virtualization is kvm' })
    expect(byRules!.events[0]!.summary).toContain(`(re-scored: rules ${versionBefore} → ${versionAfter})`)
    expect(byRules!.events[1]!.details).toMatchObject({ previousScore: 100, score: 0, previousGrade: 'A', grade: 'F', gradeFell: true })

    // 2. A removed waiver: its failure is new again (the score stays 0: no drop event).
    expect(await collector.removeWaiver('w-ntp')).toBe(1)
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(2)
    const byRemoval = receiver.messages()[1]!
    expect(byRemoval.events).toEqual([
      expect.objectContaining({ type: 'finding.new', subject: 'system.time-synced@', severity: 'medium', cause: { type: 'rescore', rulesVersion: null, waivers: [{ id: 'w-ntp', rule: 'system.time-synced', change: 'removed' }] } }),
    ])

    // 3. An expired waiver: the waivers watch sees it on the collector's clock and re-scores.
    offsetMs = 2 * 3_600_000
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(3)
    const byExpiry = receiver.messages()[2]!
    expect(byExpiry.events).toEqual([
      expect.objectContaining({ type: 'finding.new', subject: 'system.time-sync-enabled@', severity: 'low', cause: { type: 'rescore', rulesVersion: null, waivers: [{ id: 'w-short', rule: 'system.time-sync-enabled', change: 'expired' }] } }),
    ])

    // Once each: re-scoring again, and the node's next real scan with the same facts, say nothing new.
    expect(await collector.reloadRules()).toMatchObject({ changed: false, rescored: 0 })
    expect(await collector.rescore()).toBe(0)
    await send(node, new Date(Date.now() + offsetMs), 1)
    await expect.poll(() => acks.length, { timeout: 10_000 }).toBe(2)
    const history = await collector.store.nodeHistory(stored!.id, 10)
    expect(history.map((h) => h.kind)).toEqual(['scan', 'rescore', 'rescore', 'rescore', 'scan'])
    await new Promise((r) => setTimeout(r, 300))
    expect(receiver.received).toHaveLength(3)
    for (const r of receiver.received) {
      expect(verifySignature(r.body, hookSecret, r.headers['x-posture-signature'] as string)).toBe(true)
      expect(r.headers['x-posture-delivery']).toBe((JSON.parse(r.body) as { id: string }).id)
    }
    // The delivery log shows each one delivered at the first attempt.
    const hooks = await api('GET', '/api/webhooks')
    const id = (hooks.json.webhooks as { id: number }[])[0]!.id
    const log = await api('GET', `/api/webhooks/${id}/deliveries`)
    expect((log.json.deliveries as { outcome: string; attempt: number }[]).map((d) => [d.outcome, d.attempt])).toEqual([
      ['delivered', 1],
      ['delivered', 1],
      ['delivered', 1],
    ])
  })

  it('a Slack destination says the message comes from re-scoring', async () => {
    writeSiteRule(['kvm'])
    const { send, acks } = await start()
    await api('DELETE', '/api/webhooks/1')
    const slack = await api('POST', '/api/webhooks', { url: `http://127.0.0.1:${(receiver.server.address() as { port: number }).port}/slack`, format: 'slack', events: ['finding.new'], minSeverity: 'high' })
    expect(slack.status).toBe(201)
    await send({ hostname: 'kvm-2' }, new Date(), 0)
    await expect.poll(() => acks.length, { timeout: 10_000 }).toBe(1)
    writeSiteRule(['vmware'])
    await collector.reloadRules()
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1)
    const body = JSON.parse(receiver.received[0]!.body) as { text: string; blocks: { type: string; text?: { text: string } }[] }
    expect(body.blocks[0]!.text!.text).toBe('Posture: 1 alert on kvm-2 after re-scoring')
    expect(body.blocks[1]!.text!.text).toMatch(/^\*finding\.new\* \(high\) site\.virtualization-allowed fails on kvm-2: virtualization is kvm \(re-scored: rules \S+ → \S+\)$/)
  })
})
