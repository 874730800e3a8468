import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { IngestItem, Store } from '../../../../collector/store/store.js'
import { loadRuleSet, type RuleSet } from '../../../../rules/load-rules.js'
import type { Report } from '../../../../rules/report.js'
import type { ScoringPolicy } from '../../../../rules/scoring.js'
import type { Waiver } from '../../../../rules/waivers.js'
import { fakeReport } from '../../../integration/collector-fixtures.js'

/**
 * The Store contract: what every backend (SQLite, PostgreSQL) must do, as one suite run
 * against each (sqlite-store.test.ts, test/integration/pg-store.test.ts). A backend
 * supplies a fresh, empty store per test and a row counter for checks the interface
 * does not expose.
 */
export interface StoreUnderTest {
  store: Store
  countRows(table: 'scans' | 'findings' | 'nodes' | 'finding_lifecycle'): Promise<number>
  close(): Promise<void>
}

export function describeStoreContract(backend: string, open: (policy: ScoringPolicy) => Promise<StoreUnderTest>, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip ?? false)(`Store contract: ${backend}`, () => {
    let ruleSet: RuleSet
    let subject: StoreUnderTest
    let store: Store

    beforeAll(() => {
      ruleSet = loadRuleSet()
    })
    beforeEach(async () => {
      subject = await open(ruleSet.scoring)
      store = subject.store
    })
    afterEach(async () => {
      await subject?.close()
    })

    function item(report: Report, receivedAt = new Date(report.finishedAt)): IngestItem {
      return { kind: 'scan', agentId: null, seq: 0, report, agentRulesVersion: null, scoredWith: `${ruleSet.version}|0`, receivedAt, labels: { env: 'test' }, agentVersion: '0.1.0' }
    }

    it('stores a report once, reads it back as the latest report, and is idempotent on scanId', async () => {
      const report = await fakeReport(ruleSet, { hostname: 'web-1', synchronized: false }, new Date('2026-03-02T10:00:00Z'))
      expect(await store.ingest([item(report)])).toEqual([{ status: 'stored', scanPk: expect.any(Number) }])
      expect(await store.ingest([item(report)])).toEqual([{ status: 'duplicate' }])
      // Twice in one batch: the second is the duplicate.
      const again = await fakeReport(ruleSet, { hostname: 'web-1', synchronized: false }, new Date('2026-03-02T11:00:00Z'))
      expect((await store.ingest([item(again), item(again)])).map((r) => r.status)).toEqual(['stored', 'duplicate'])
      const nodes = await store.listNodes()
      expect(nodes).toHaveLength(1)
      expect(nodes[0]).toMatchObject({ id: report.node.id, hostname: 'web-1', labels: { env: 'test' }, score: again.score.score, grade: again.score.grade, lastScanAt: again.finishedAt })
      const latest = await store.latestReport(report.node.id)
      expect(latest?.scanId).toBe(again.scanId)
      expect(latest?.findings.map((f) => [f.rule, f.status])).toEqual(report.findings.map((f) => [f.rule, f.status]).sort())
      expect(latest?.findings.find((f) => f.rule === 'system.time-synced')?.title).toBe('The clock is synchronised to a time source')
      expect(latest?.facts).toEqual(again.facts)
      expect(latest?.score).toEqual(again.score)
      expect(await subject.countRows('scans')).toBe(2)
      expect(await subject.countRows('findings')).toBe(report.findings.length * 2)
      expect(await store.getNode(report.node.id)).toEqual(nodes[0])
      expect(await store.getNode('nope')).toBeNull()
      expect(await store.latestReport('nope')).toBeNull()
    })

    it('tracks failingSince, SLA due date, resolution and reopening per (node, rule, target)', async () => {
      const t1 = new Date('2026-03-02T10:00:00Z') // a Monday
      const failing = await fakeReport(ruleSet, { hostname: 'db-1', synchronized: false }, t1)
      await store.ingest([item(failing)])
      const nodeId = failing.node.id
      let [open] = await store.nodeFindings(nodeId, { rule: 'system.time-synced', limit: 10, offset: 0 })
      expect(open?.status).toBe('fail')
      // medium: 90 calendar days (rules/scoring.yaml)
      expect(open?.lifecycle).toMatchObject({ state: 'open', failingSince: t1.toISOString(), slaDue: '2026-05-31T10:00:00.000Z', reopenedCount: 0 })

      const t2 = new Date('2026-03-03T10:00:00Z')
      await store.ingest([item(await fakeReport(ruleSet, { hostname: 'db-1', synchronized: false }, t2))])
      ;[open] = await store.nodeFindings(nodeId, { rule: 'system.time-synced', limit: 10, offset: 0 })
      expect(open?.lifecycle.failingSince).toBe(t1.toISOString())
      // Overdue: only once the due date has passed.
      expect(await store.fleetFindings({ overdueAt: new Date('2026-05-31T09:00:00Z'), limit: 10, offset: 0 })).toEqual([])
      expect((await store.fleetFindings({ overdueAt: new Date('2026-06-01T00:00:00Z'), limit: 10, offset: 0 })).map((f) => f.rule)).toEqual(['system.time-synced'])

      const t3 = new Date('2026-03-04T10:00:00Z')
      await store.ingest([item(await fakeReport(ruleSet, { hostname: 'db-1', synchronized: true }, t3))])
      const [resolved] = await store.nodeFindings(nodeId, { rule: 'system.time-synced', limit: 10, offset: 0 })
      expect(resolved?.lifecycle).toMatchObject({ state: 'resolved', failingSince: null, slaDue: null, resolvedAt: t3.toISOString() })

      const t4 = new Date('2026-03-05T10:00:00Z')
      await store.ingest([item(await fakeReport(ruleSet, { hostname: 'db-1', synchronized: false }, t4))])
      const fleet = await store.fleetFindings({ status: 'fail', limit: 10, offset: 0 })
      expect(fleet.map((f) => [f.node.hostname, f.rule, f.lifecycle.failingSince, f.lifecycle.reopenedCount])).toEqual([
        ['db-1', 'system.time-synced', t4.toISOString(), 1],
      ])
      expect((await store.nodeHistory(nodeId, 10)).map((s) => s.counts.fail)).toEqual([1, 0, 1, 1])
      expect((await store.nodeHistory(nodeId, 2)).map((s) => s.finishedAt)).toEqual([t4.toISOString(), t3.toISOString()])
    })

    it('filters and orders findings the same way: failures first, then severity, paged', async () => {
      const at = new Date('2026-03-02T10:00:00Z')
      const a = await fakeReport(ruleSet, { hostname: 'a', synchronized: false, ntp: false }, at)
      const b = await fakeReport(ruleSet, { hostname: 'b', synchronized: true }, at)
      await store.ingest([item(a), item(b)])
      const all = await store.nodeFindings(a.node.id, { limit: 100, offset: 0 })
      expect(all).toHaveLength(a.findings.length)
      const rank = (s: string) => (s === 'fail' ? 0 : s === 'error' ? 1 : 2)
      expect(all.map((f) => rank(f.status))).toEqual([...all.map((f) => rank(f.status))].sort((x, y) => x - y))
      const paged = await store.nodeFindings(a.node.id, { limit: 2, offset: 1 })
      expect(paged.map((f) => [f.rule, f.target])).toEqual(all.slice(1, 3).map((f) => [f.rule, f.target]))
      const failures = await store.fleetFindings({ status: 'fail', limit: 100, offset: 0 })
      expect(new Set(failures.map((f) => f.node.hostname))).toEqual(new Set(['a']))
      expect(failures.every((f) => f.status === 'fail' && f.lifecycle.state === 'open')).toBe(true)
      const passing = await store.fleetFindings({ status: 'pass', domain: 'system', node: b.node.id, limit: 100, offset: 0 })
      expect(passing.length).toBeGreaterThan(0)
      expect(passing.every((f) => f.node.id === b.node.id && f.status === 'pass' && f.lifecycle.state === 'passing')).toBe(true)
      const severity = failures[0]!.severity
      expect((await store.fleetFindings({ severity, limit: 100, offset: 0 })).every((f) => f.severity === severity)).toBe(true)
      // Worst score first, then by hostname.
      expect((await store.listNodes()).map((n) => n.hostname)).toEqual(a.score.score! <= b.score.score! ? ['a', 'b'] : ['b', 'a'])
    })

    it('keeps a late, older report as history without moving the node back', async () => {
      const newer = await fakeReport(ruleSet, { hostname: 'n', synchronized: true }, new Date('2026-03-05T00:00:00Z'))
      const older = await fakeReport(ruleSet, { hostname: 'n', synchronized: false }, new Date('2026-03-04T00:00:00Z'))
      await store.ingest([item(newer), item(older)])
      expect((await store.latestReport(newer.node.id))?.scanId).toBe(newer.scanId)
      expect(await store.nodeHistory(newer.node.id, 5)).toHaveLength(2)
      const [synced] = await store.nodeFindings(newer.node.id, { rule: 'system.time-synced', limit: 1, offset: 0 })
      expect(synced?.lifecycle.state).toBe('passing')
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
      expect(await subject.countRows('scans')).toBe(1)
    })

    it('stores a re-score as the node\'s current state and finds nodes scored with other rules', async () => {
      const report = await fakeReport(ruleSet, { hostname: 'r', synchronized: false }, new Date('2026-03-05T00:00:00Z'))
      await store.ingest([item(report)])
      expect(await store.nodesToRescore(`${ruleSet.version}|0`, 10)).toEqual([])
      const stale = await store.nodesToRescore(`${ruleSet.version}|1`, 10)
      expect(stale.map((n) => [n.nodeId, n.labels, n.agentVersion, n.latest.scanId])).toEqual([[report.node.id, { env: 'test' }, '0.1.0', report.scanId]])
      const rescored: Report = { ...report, scanId: `${report.scanId}-rescore`, finishedAt: '2026-03-05T00:00:01.000Z' }
      expect((await store.ingest([{ ...item(rescored), kind: 'rescore', scoredWith: `${ruleSet.version}|1` }]))[0]?.status).toBe('stored')
      expect(await store.nodesToRescore(`${ruleSet.version}|1`, 10)).toEqual([])
      expect((await store.getNode(report.node.id))?.scoredWith).toBe(`${ruleSet.version}|1`)
      expect((await store.nodeHistory(report.node.id, 5)).map((s) => s.kind)).toEqual(['rescore', 'scan'])
      // A re-score of a node never seen fails (no node row), and stores nothing.
      const orphan = await fakeReport(ruleSet, { hostname: 'ghost' }, new Date('2026-03-05T00:00:00Z'))
      expect((await store.ingest([{ ...item(orphan), kind: 'rescore' }]))[0]?.status).toBe('failed')
    })

    it('marks nodes offline and back; a new report clears it', async () => {
      const report = await fakeReport(ruleSet, { hostname: 'o' }, new Date('2026-03-05T00:00:00Z'))
      await store.ingest([item(report)])
      await store.setNodeOffline(report.node.id, '2026-03-06T00:00:00.000Z')
      expect((await store.getNode(report.node.id))?.offlineSince).toBe('2026-03-06T00:00:00.000Z')
      await store.ingest([item(await fakeReport(ruleSet, { hostname: 'o' }, new Date('2026-03-07T00:00:00Z')))])
      expect((await store.getNode(report.node.id))?.offlineSince).toBeNull()
    })

    it('spends an enrollment token once and manages agents', async () => {
      const now = new Date('2026-03-05T00:00:00Z')
      await store.createEnrollmentToken({ id: 't1', secretHash: 'h', labels: { rack: 'r1' }, createdAt: now.toISOString(), expiresAt: '2026-03-06T00:00:00Z' })
      const agent = { id: 'a1', secretHash: 'x', hostname: 'h', agentVersion: '0.1.0', enrolledAt: now.toISOString() }
      expect(await store.enrollAgent('t1', (h) => h === 'wrong', agent, now)).toEqual({ ok: false, reason: 'unknown' })
      expect(await store.enrollAgent('nope', () => true, agent, now)).toEqual({ ok: false, reason: 'unknown' })
      expect(await store.enrollAgent('t1', (h) => h === 'h', agent, now)).toEqual({ ok: true, labels: { rack: 'r1' } })
      expect(await store.enrollAgent('t1', (h) => h === 'h', { ...agent, id: 'a2' }, now)).toEqual({ ok: false, reason: 'used' })
      await store.createEnrollmentToken({ id: 't2', secretHash: 'h', labels: {}, createdAt: now.toISOString(), expiresAt: now.toISOString() })
      expect(await store.enrollAgent('t2', () => true, { ...agent, id: 'a3' }, now)).toEqual({ ok: false, reason: 'expired' })
      expect(await store.findAgent('a1')).toEqual({ ...agent, labels: { rack: 'r1' }, revokedAt: null, lastSeen: null, intervalMs: null })
      await store.touchAgent('a1', { lastSeen: '2026-03-05T01:00:00.000Z', intervalMs: 60_000 })
      await store.touchAgents(new Map([['a1', { lastSeen: '2026-03-05T02:00:00.000Z', hostname: 'h2', agentVersion: '0.2.0' }]]))
      expect(await store.findAgent('a1')).toMatchObject({ lastSeen: '2026-03-05T02:00:00.000Z', intervalMs: 60_000, hostname: 'h2', agentVersion: '0.2.0' })
      expect((await store.listAgents()).map((a) => a.id)).toEqual(['a1'])
      expect(await store.revokedAgentsSince(now.toISOString())).toEqual([])
      expect(await store.revokeAgent('a1', now)).toBe(true)
      expect(await store.revokeAgent('a1', now)).toBe(false)
      expect(await store.revokedAgentsSince(now.toISOString())).toEqual(['a1'])
      expect(await store.revokedAgentsSince('2026-03-05T00:00:01.000Z')).toEqual([])
      expect(await store.findAgent('a2')).toBeNull()
    })

    it('keeps settings, API tokens and users', async () => {
      expect(await store.getSetting('k')).toBeNull()
      await store.setSetting('k', 'v1')
      await store.setSetting('k', 'v2')
      expect(await store.getSetting('k')).toBe('v2')
      await store.createApiToken({ id: 'tok', secretHash: 's', role: 'auditor', name: 'ci', createdAt: '2026-03-05T00:00:00.000Z', revokedAt: null })
      expect(await store.findApiToken('tok')).toEqual({ id: 'tok', secretHash: 's', role: 'auditor', name: 'ci', createdAt: '2026-03-05T00:00:00.000Z', revokedAt: null })
      expect(await store.findApiToken('nope')).toBeNull()
      const id = await store.createUser({ username: 'ann', role: 'admin', passwordHash: 'ph', mustChangePassword: true, createdAt: '2026-03-05T00:00:00.000Z' })
      expect(typeof id).toBe('number')
      expect(await store.findUser('ann')).toEqual({ id, username: 'ann', role: 'admin', passwordHash: 'ph', mustChangePassword: true, createdAt: '2026-03-05T00:00:00.000Z' })
      await expect(store.createUser({ username: 'ann', role: 'auditor', passwordHash: 'x', mustChangePassword: false, createdAt: '2026-03-05T00:00:00.000Z' })).rejects.toThrow()
      expect(await store.findUser('bob')).toBeNull()
    })

    it('puts, replaces, lists and deletes waivers', async () => {
      const waiver: Waiver = {
        id: 'w-b', rule: 'system.time-synced', labels: { env: 'test' }, justification: 'lab clock', approver: 'ann',
        created: '2026-03-01T00:00:00.000Z', expires: '2026-04-01T00:00:00.000Z',
      }
      const now = new Date('2026-03-05T00:00:00Z')
      await store.putWaiver(waiver, now)
      await store.putWaiver({ ...waiver, id: 'w-a', node: 'n1' }, now)
      await store.putWaiver({ ...waiver, justification: 'replaced' }, now)
      expect(await store.listWaivers()).toEqual([{ ...waiver, id: 'w-a', node: 'n1' }, { ...waiver, justification: 'replaced' }])
      expect(await store.deleteWaiver('w-a')).toBe(true)
      expect(await store.deleteWaiver('w-a')).toBe(false)
      expect((await store.listWaivers()).map((w) => w.id)).toEqual(['w-b'])
    })
  })
}
