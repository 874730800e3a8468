import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../../../../collector/store/sqlite-store.js'
import { migrations } from '../../../../collector/store/migrations.js'
import { loadRuleSet, type RuleSet } from '../../../../rules/load-rules.js'
import type { Report } from '../../../../rules/report.js'
import type { IngestItem } from '../../../../collector/store/store.js'
import { fakeReport } from '../../../integration/collector-fixtures.js'

let ruleSet: RuleSet
let dir: string
let store: SqliteStore

beforeAll(() => {
  ruleSet = loadRuleSet()
})
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-store-'))
  store = new SqliteStore(join(dir, 'posture.db'), ruleSet.scoring)
})
afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

function item(report: Report, receivedAt = new Date(report.finishedAt)): IngestItem {
  return { kind: 'scan', agentId: null, seq: 0, report, agentRulesVersion: null, scoredWith: `${ruleSet.version}|0`, receivedAt, labels: { env: 'test' }, agentVersion: '0.1.0' }
}

describe('SqliteStore', () => {
  it('migrates a fresh database to the latest user_version with WAL and foreign keys', () => {
    expect(store.db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1)
  })

  it('stores a report once, reads it back as the latest report, and is idempotent on scanId', async () => {
    const report = await fakeReport(ruleSet, { hostname: 'web-1', synchronized: false }, new Date('2026-03-02T10:00:00Z'))
    expect(await store.ingest([item(report)])).toEqual([{ status: 'stored', scanPk: 1 }])
    expect(await store.ingest([item(report)])).toEqual([{ status: 'duplicate' }])
    const nodes = await store.listNodes()
    expect(nodes).toHaveLength(1)
    expect(nodes[0]).toMatchObject({ id: report.node.id, hostname: 'web-1', labels: { env: 'test' }, score: report.score.score, grade: report.score.grade })
    const latest = await store.latestReport(report.node.id)
    expect(latest?.scanId).toBe(report.scanId)
    expect(latest?.findings.map((f) => [f.rule, f.status])).toEqual(report.findings.map((f) => [f.rule, f.status]).sort())
    expect(latest?.findings.find((f) => f.rule === 'system.time-synced')?.title).toBe('The clock is synchronised to a time source')
    expect(latest?.facts).toEqual(report.facts)
    expect((store.db.prepare('SELECT count(*) AS n FROM scans').get() as { n: number }).n).toBe(1)
  })

  it('tracks failingSince, SLA due date, resolution and reopening per (node, rule, target)', async () => {
    const t1 = new Date('2026-03-02T10:00:00Z') // a Monday
    const failing = await fakeReport(ruleSet, { hostname: 'db-1', synchronized: false }, t1)
    await store.ingest([item(failing)])
    const nodeId = failing.node.id
    let [open] = await store.nodeFindings(nodeId, { rule: 'system.time-synced', limit: 10, offset: 0 })
    expect(open?.status).toBe('fail')
    // medium: 90 calendar days (rules/scoring.yaml)
    expect(open?.lifecycle).toMatchObject({ state: 'open', failingSince: t1.toISOString(), slaDue: '2026-05-31T10:00:00.000Z' })

    const t2 = new Date('2026-03-03T10:00:00Z')
    await store.ingest([item(await fakeReport(ruleSet, { hostname: 'db-1', synchronized: false }, t2))])
    ;[open] = await store.nodeFindings(nodeId, { rule: 'system.time-synced', limit: 10, offset: 0 })
    expect(open?.lifecycle.failingSince).toBe(t1.toISOString())

    const t3 = new Date('2026-03-04T10:00:00Z')
    await store.ingest([item(await fakeReport(ruleSet, { hostname: 'db-1', synchronized: true }, t3))])
    const [resolved] = await store.nodeFindings(nodeId, { rule: 'system.time-synced', limit: 10, offset: 0 })
    expect(resolved?.lifecycle).toMatchObject({ state: 'resolved', failingSince: null, resolvedAt: t3.toISOString() })

    const t4 = new Date('2026-03-05T10:00:00Z')
    await store.ingest([item(await fakeReport(ruleSet, { hostname: 'db-1', synchronized: false }, t4))])
    const fleet = await store.fleetFindings({ status: 'fail', limit: 10, offset: 0 })
    expect(fleet.map((f) => [f.node.hostname, f.rule, f.lifecycle.failingSince, f.lifecycle.reopenedCount])).toEqual([
      ['db-1', 'system.time-synced', t4.toISOString(), 1],
    ])
    expect((await store.nodeHistory(nodeId, 10)).map((s) => s.counts.fail)).toEqual([1, 0, 1, 1])
  })

  it('keeps a late, older report as history without moving the node back', async () => {
    const newer = await fakeReport(ruleSet, { hostname: 'n', synchronized: true }, new Date('2026-03-05T00:00:00Z'))
    const older = await fakeReport(ruleSet, { hostname: 'n', synchronized: false }, new Date('2026-03-04T00:00:00Z'))
    await store.ingest([item(newer), item(older)])
    expect((await store.latestReport(newer.node.id))?.scanId).toBe(newer.scanId)
    expect(await store.nodeHistory(newer.node.id, 5)).toHaveLength(2)
  })

  it('rolls back only the failing report of a batch', async () => {
    const good = await fakeReport(ruleSet, { hostname: 'a' }, new Date('2026-03-05T00:00:00Z'))
    const bad = await fakeReport(ruleSet, { hostname: 'b' }, new Date('2026-03-05T00:00:00Z'))
    // Two findings with the same (rule, target) violate the findings primary key.
    bad.findings.push(bad.findings[0]!)
    const results = await store.ingest([item(bad), item(good)])
    expect(results[0]?.status).toBe('failed')
    expect(results[1]?.status).toBe('stored')
    expect((await store.listNodes()).map((n) => n.hostname)).toEqual(['a'])
  })

  it('spends an enrollment token once', async () => {
    const now = new Date('2026-03-05T00:00:00Z')
    await store.createEnrollmentToken({ id: 't1', secretHash: 'h', labels: { rack: 'r1' }, createdAt: now.toISOString(), expiresAt: '2026-03-06T00:00:00Z' })
    const agent = { id: 'a1', secretHash: 'x', hostname: 'h', agentVersion: '0.1.0', enrolledAt: now.toISOString() }
    expect(await store.enrollAgent('t1', (h) => h === 'wrong', agent, now)).toEqual({ ok: false, reason: 'unknown' })
    expect(await store.enrollAgent('t1', (h) => h === 'h', agent, now)).toEqual({ ok: true, labels: { rack: 'r1' } })
    expect(await store.enrollAgent('t1', (h) => h === 'h', { ...agent, id: 'a2' }, now)).toEqual({ ok: false, reason: 'used' })
    expect((await store.findAgent('a1'))?.labels).toEqual({ rack: 'r1' })
    expect(await store.revokeAgent('a1', now)).toBe(true)
    expect(await store.revokedAgentsSince(now.toISOString())).toEqual(['a1'])
  })

  it('makes an online backup that opens as a database with the same rows', async () => {
    await store.ingest([item(await fakeReport(ruleSet, { hostname: 'b1' }, new Date('2026-03-05T00:00:00Z')))])
    const copy = join(dir, 'backup.db')
    await store.backup(copy)
    const restored = new SqliteStore(copy, ruleSet.scoring)
    expect((await restored.listNodes()).map((n) => n.hostname)).toEqual(['b1'])
    restored.close()
  })
})
