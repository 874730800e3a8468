import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { explorerQuery } from '../../../../collector/store/sqlite-explorer.js'
import { loadRuleSet } from '../../../../rules/load-rules.js'
import { fakeReport } from '../../../integration/collector-fixtures.js'
import { openSqliteBackend, type BackendUnderTest } from './backend-under-test.js'

/**
 * Migration 6, the explorer's read model: node labels kept from nodes.labels by triggers
 * (relabelling moves a node between label filters), a rule prefix matching no rule or one
 * rule, and the sorts giving the same rows as sorting everything by hand.
 */
describe('explorer read model (migration 6)', () => {
  let subject: BackendUnderTest
  const ruleSet = loadRuleSet()
  const ingest = async (hostname: string, labels: Record<string, string>, at: Date, synchronized = false) => {
    const report = await fakeReport(ruleSet, { hostname, synchronized }, at)
    await subject.backend.store.ingest([{ kind: 'scan', agentId: null, seq: null, report, agentRulesVersion: null, scoredWith: 'test', receivedAt: at, labels, agentVersion: null }])
  }
  beforeEach(async () => {
    subject = await openSqliteBackend()
  })
  afterEach(async () => {
    await subject?.close()
  })

  it('keeps node_labels in step with the nodes labels, and the label filter with it', async () => {
    await ingest('web-1', { env: 'prod', role: 'web' }, new Date('2026-03-02T10:00:00Z'))
    await ingest('lab-1', { env: 'dev' }, new Date('2026-03-02T10:01:00Z'))
    const labels = async () => (await subject.sql('SELECT n.hostname, l.key, l.value FROM node_labels l JOIN nodes n ON n.id = l.node_id ORDER BY 1, 2')).map((r) => `${String(r.hostname)} ${String(r.key)}=${String(r.value)}`)
    expect(await labels()).toEqual(['lab-1 env=dev', 'web-1 env=prod', 'web-1 role=web'])
    const prod = () => subject.backend.dashboard.explore({ label: { key: 'env', value: 'prod' }, sort: 'severity', limit: 1000, offset: 0 })
    expect(new Set((await prod()).map((f) => f.node.hostname))).toEqual(new Set(['web-1']))

    // lab-1 is relabelled at its next report: it moves into env=prod.
    await ingest('lab-1', { env: 'prod' }, new Date('2026-03-02T11:00:00Z'))
    expect(await labels()).toEqual(['lab-1 env=prod', 'web-1 env=prod', 'web-1 role=web'])
    expect(new Set((await prod()).map((f) => f.node.hostname))).toEqual(new Set(['web-1', 'lab-1']))
    expect(await subject.backend.dashboard.explore({ label: { key: 'env', value: 'dev' }, sort: 'severity', limit: 1000, offset: 0 })).toEqual([])
  })

  it('answers a rule prefix that matches no rule, one rule or several, and sorts like a full sort', async () => {
    for (let i = 0; i < 4; i++) await ingest(`node-${i}`, { env: 'prod' }, new Date(Date.UTC(2026, 2, 1 + i, 10)), i % 2 === 0)
    const { dashboard } = subject.backend
    expect(await dashboard.explore({ rule: 'nothing.here.', sort: 'severity', limit: 100, offset: 0 })).toEqual([])
    const all = await dashboard.explore({ sort: 'severity', limit: 10_000, offset: 0 })
    const one = all[0]!.rule
    const byPrefix = await dashboard.explore({ rule: `${one.slice(0, one.lastIndexOf('.'))}.`, sort: 'severity', limit: 10_000, offset: 0 })
    expect(byPrefix.length).toBeGreaterThan(0)
    expect(byPrefix).toEqual(all.filter((f) => f.rule.startsWith(one.slice(0, one.lastIndexOf('.') + 1))))
    expect(await dashboard.explore({ rule: 'system.', sort: 'severity', limit: 10_000, offset: 0 })).toEqual(all.filter((f) => f.rule.startsWith('system.')))

    const rank = { critical: 0, high: 1, medium: 2, low: 3, info: 4 }
    const key = (f: (typeof all)[number]) => `${f.node.id}\u0000${f.rule}\u0000${f.target}`
    const cmp = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1)
    const fails = all.filter((f) => f.status === 'fail')
    const byAge = [...fails].sort((a, b) => cmp(a.lifecycle.failingSince, b.lifecycle.failingSince) || (key(a) < key(b) ? -1 : 1))
    expect((await dashboard.explore({ status: 'fail', sort: 'age', limit: 10_000, offset: 0 })).map(key)).toEqual(byAge.map(key))
    const bySla = [...fails].sort((a, b) => cmp(a.lifecycle.slaDue, b.lifecycle.slaDue) || (key(a) < key(b) ? -1 : 1))
    expect((await dashboard.explore({ status: 'fail', sort: 'sla', limit: 10_000, offset: 0 })).map(key)).toEqual(bySla.map(key))
    const bySeverity = [...fails].sort((a, b) => rank[a.severity] - rank[b.severity] || cmp(a.lifecycle.failingSince, b.lifecycle.failingSince) || (key(a) < key(b) ? -1 : 1))
    expect((await dashboard.explore({ status: 'fail', sort: 'severity', limit: 10_000, offset: 0 })).map(key)).toEqual(bySeverity.map(key))
    // Pages of the sorted view join up.
    const page1 = await dashboard.explore({ status: 'fail', sort: 'age', limit: 2, offset: 0 })
    const page2 = await dashboard.explore({ status: 'fail', sort: 'age', limit: 2, offset: 2 })
    expect([...page1, ...page2].map(key)).toEqual(byAge.slice(0, 4).map(key))
  })

  it('sorts every status by age or SLA without a status filter, each status read from its index in order', async () => {
    // Failures that start on different days, so the age and SLA orders differ from node order.
    for (let i = 0; i < 4; i++) await ingest(`node-${i}`, { env: 'prod' }, new Date(Date.UTC(2026, 2, 5 - i, 10)), i % 2 === 0)
    const { dashboard } = subject.backend
    const all = await dashboard.explore({ sort: 'severity', limit: 10_000, offset: 0 })
    expect(new Set(all.map((f) => f.status)).size).toBeGreaterThan(1)
    const key = (f: (typeof all)[number]) => `${f.node.id}\u0000${f.rule}\u0000${f.target}`
    const cmp = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1)
    const byAge = [...all].sort((a, b) => cmp(a.lifecycle.failingSince, b.lifecycle.failingSince) || (key(a) < key(b) ? -1 : 1))
    const bySla = [...all].sort((a, b) => cmp(a.lifecycle.slaDue, b.lifecycle.slaDue) || (key(a) < key(b) ? -1 : 1))
    expect((await dashboard.explore({ sort: 'age', limit: 10_000, offset: 0 })).map(key)).toEqual(byAge.map(key))
    expect((await dashboard.explore({ sort: 'sla', limit: 10_000, offset: 0 })).map(key)).toEqual(bySla.map(key))
    const pages = [0, 7, 14].map((offset) => dashboard.explore({ sort: 'age', limit: 7, offset }))
    expect((await Promise.all(pages)).flat().map(key)).toEqual(byAge.slice(0, 21).map(key))
    // With a filter too: the merge keeps the other conditions.
    const high = all.filter((f) => f.severity === 'high')
    expect((await dashboard.explore({ severity: 'high', sort: 'sla', limit: 10_000, offset: 0 })).map(key)).toEqual(
      [...high].sort((a, b) => cmp(a.lifecycle.slaDue, b.lifecycle.slaDue) || (key(a) < key(b) ? -1 : 1)).map(key),
    )
    // Each status's page is read from the status index in order: the query sorts only the
    // merged pages (at most five times the window), never every finding in the fleet.
    for (const sort of ['age', 'sla'] as const) {
      const { sql, params } = explorerQuery({ sort, limit: 100, offset: 0 }, [])
      const plan = (await subject.sql(`EXPLAIN QUERY PLAN ${sql}`, [params])).map((r) => String(r.detail))
      expect(plan.filter((d) => d === `SEARCH l USING INDEX lifecycle_status_${sort} (last_status=?)`)).toHaveLength(5)
    }
  })
})
