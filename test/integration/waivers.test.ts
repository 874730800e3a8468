import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCollector, type Collector } from '../../collector/build-collector.js'
import { createApiToken } from '../../collector/collector-admin.js'
import { parseToken } from '../../collector/auth/secret-token.js'
import { resolveCollectorConfig } from '../../collector/collector-config.js'
import { createEvidence } from '../../collector/evidence/evidence-plugin.js'
import { runPosture } from '../helpers/cli.js'
import { fakeReport } from './collector-fixtures.js'

/**
 * Waivers through the API and the CLI on a running collector (issue 11): roles, input
 * errors, the audit log, re-scoring without a new scan (scores with and without waivers),
 * a CLI change picked up by the running collector, and an expiry turning the finding back
 * into a flagged failure.
 */
const dir = mkdtempSync(join(tmpdir(), 'posture-waivers-'))
const dataDir = join(dir, 'data')
let collector: Collector
let url: string
const tokens: Record<string, string> = {}
let nodeId: string

beforeAll(async () => {
  const config = resolveCollectorConfig({}, { dataDir, listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 }, tls: { insecureHttp: true } }, dir)
  const evidence = createEvidence({ watchEveryMs: 50 })
  collector = await buildCollector(config, { logger: pino({ level: 'silent' }), plugins: [evidence.plugin] })
  evidence.attach(collector)
  url = await collector.start()
  for (const role of ['admin', 'operator', 'auditor'] as const) tokens[role] = (await createApiToken(collector.store, role, role, new Date())).token
  // A node whose clock is not synchronised: system.time-synced (medium) fails, time-sync-enabled (low) passes.
  const report = await fakeReport(collector.scoring().ruleSet, { hostname: 'drifting', synchronized: false }, new Date())
  nodeId = report.node.id
  const [stored] = await collector.store.ingest([{ kind: 'scan', agentId: null, seq: null, report, agentRulesVersion: null, scoredWith: 'old', receivedAt: new Date(), labels: { env: 'prod' }, agentVersion: null }])
  expect(stored?.status).toBe('stored')
  await collector.rescore()
}, 60_000)

afterAll(async () => {
  await collector.close()
  rmSync(dir, { recursive: true, force: true })
})

async function api(method: string, path: string, role: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[role]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

/** Waits (bounded) until the node's current score is `score`. */
async function scoreBecomes(score: number): Promise<void> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const node = await collector.store.getNode(nodeId)
    if (node?.score === score) return
    if (Date.now() > deadline) throw new Error(`score stayed ${node?.score}, expected ${score}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString()

describe('waivers API', () => {
  it('starts from the failing score', async () => {
    expect((await collector.store.getNode(nodeId))?.score).toBe(25)
  })

  it('refuses auditors, and input without an expiry, a justification or a known rule', async () => {
    const good = { rule: 'system.time-synced', node: nodeId, justification: 'NTP appliance replaced next week (CHG-77)', approver: 'ops lead', expires: inDays(7) }
    expect((await api('POST', '/api/waivers', 'auditor', good)).status).toBe(403)
    const noExpiry = await api('POST', '/api/waivers', 'operator', { ...good, expires: undefined })
    expect(noExpiry).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST', message: expect.stringContaining('expires') } } })
    expect((await api('POST', '/api/waivers', 'operator', { ...good, justification: 'ok' })).body.error.message).toContain('justification')
    expect((await api('POST', '/api/waivers', 'operator', { ...good, rule: 'system.nope' })).body.error.message).toBe('rule: no rule system.nope (see posture rules list)')
    expect((await api('POST', '/api/waivers', 'operator', { ...good, expires: inDays(-1) })).body.error.message).toContain('is not in the future')
    expect((await api('POST', '/api/waivers', 'operator', { ...good, labels: { env: 'prod' } })).body.error.message).toBe('scope: give a node or labels, not both')
  })

  it('waives the finding, re-scores without a new scan, and keeps the score without waivers', async () => {
    const created = await api('POST', '/api/waivers', 'operator', { rule: 'system.time-synced', node: nodeId, justification: 'NTP appliance replaced next week (CHG-77)', approver: 'ops lead', expires: inDays(7) })
    expect(created).toMatchObject({ status: 201, body: { waiver: { id: expect.stringMatching(/^w-[0-9a-f]{12}$/), state: 'live', approver: 'ops lead' } } })
    await scoreBecomes(100)
    const report = await collector.store.latestReport(nodeId)
    expect(report?.findings.find((f) => f.rule === 'system.time-synced')).toMatchObject({ status: 'waived', waiver: { id: created.body.waiver.id, waivedStatus: 'fail' } })
    expect(report?.score).toMatchObject({ score: 100, scoreWithoutWaivers: 25 })
    const listed = await api('GET', '/api/waivers', 'auditor')
    expect(listed.body.waivers.map((w: { id: string }) => w.id)).toEqual([created.body.waiver.id])

    expect((await api('DELETE', `/api/waivers/${created.body.waiver.id}`, 'operator')).status).toBe(200)
    await scoreBecomes(25)
    expect((await api('DELETE', `/api/waivers/${created.body.waiver.id}`, 'operator')).status).toBe(404)
  })

  it('picks up a waiver added with the CLI while the collector runs', async () => {
    const added = await runPosture(['waiver', 'add', '--data', dataDir, '--rule', 'system.time-synced', '--labels', 'env=prod', '--justification', 'whole prod fleet moves to chrony on Monday', '--approver', 'CISO', '--expires', inDays(3)])
    expect(added.code, added.stderr).toBe(0)
    await scoreBecomes(100)
    const listed = await runPosture(['waiver', 'list', '--data', dataDir])
    expect(listed.stdout).toContain('system.time-synced  env=prod  approver: CISO')
    const removed = await runPosture(['waiver', 'remove', added.stdout.trim(), '--data', dataDir])
    expect(removed.code).toBe(0)
    await scoreBecomes(25)
  }, 120_000)

  it('turns the finding back into a flagged failure when the waiver expires', async () => {
    const created = await api('POST', '/api/waivers', 'admin', { rule: 'system.time-synced', justification: 'short maintenance window for the NTP move', approver: 'ops lead', expires: new Date(Date.now() + 1500).toISOString() })
    expect(created.status).toBe(201)
    await scoreBecomes(100)
    await scoreBecomes(25)
    const finding = (await collector.store.latestReport(nodeId))?.findings.find((f) => f.rule === 'system.time-synced')
    expect(finding).toMatchObject({ status: 'fail', message: expect.stringContaining(`(waiver ${created.body.waiver.id} expired `) })
    expect((await api('GET', '/api/waivers', 'operator')).body.waivers[0]).toMatchObject({ id: created.body.waiver.id, state: 'expired' })
  }, 30_000)

  it('recorded every change in the audit log, with who and why', () => {
    const rows = collector.store.db.prepare<[], { actor: string; action: string; details: string }>("SELECT actor, action, details FROM audit_log WHERE action LIKE 'waiver.%' ORDER BY seq").all()
    expect(rows.map((r) => r.action)).toEqual(['waiver.create', 'waiver.delete', 'waiver.create', 'waiver.delete', 'waiver.create'])
    // The API-token-only guard names each token by its id, as the dashboard's does.
    expect(rows[0]!.actor).toBe(`token:${parseToken('pt1', tokens.operator!)!.id}`)
    expect(rows[2]!.actor).toMatch(/^cli:/)
    expect(JSON.parse(rows[2]!.details)).toMatchObject({ rule: 'system.time-synced', scope: 'env=prod', approver: 'CISO', justification: 'whole prod fleet moves to chrony on Monday' })
  })
})
