import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadRuleSet, type RuleSet } from '../../../../rules/load-rules.js'
import { fakeReport } from '../../../integration/collector-fixtures.js'
import type { BackendUnderTest, OpenBackend } from './backend-under-test.js'

/** The dashboard's read queries on a backend: run on SQLite (sqlite-dashboard-queries.test.ts) and PostgreSQL (test/integration/pg-backend.test.ts). */
export function describeDashboardQueriesContract(backendName: string, open: OpenBackend, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip ?? false)(`dashboard queries contract: ${backendName}`, () => {
    let subject: BackendUnderTest
    let ruleSet: RuleSet
    const now = new Date('2026-03-03T12:00:00Z')
    beforeAll(() => {
      ruleSet = loadRuleSet()
    })
    beforeEach(async () => {
      subject = await open()
      const nodes = [
        { hostname: 'web-1', synchronized: true, labels: { env: 'prod' } },
        { hostname: 'web_2', synchronized: false, labels: { env: 'prod' } },
        { hostname: 'lab-1', synchronized: false, labels: { env: 'dev' } },
      ]
      for (const [i, n] of nodes.entries()) {
        const at = new Date(Date.UTC(2026, 2, 2, 10, i))
        const report = await fakeReport(ruleSet, n, at)
        await subject.backend.store.ingest([{ kind: 'scan', agentId: null, seq: null, report, agentRulesVersion: null, scoredWith: 'test', receivedAt: at, labels: n.labels, agentVersion: null }])
      }
    })
    afterEach(async () => {
      await subject?.close()
    })

    it('answers the overview from the nodes, the lifecycle and the daily rollup', async () => {
      const overview = await subject.backend.dashboard.overview(now, 30)
      expect(overview.fleet).toMatchObject({ nodes: 3, scoredNodes: 3, offline: 0 })
      expect(Object.values(overview.grades).reduce((a, b) => a + b, 0)).toBe(3)
      expect(overview.worstNodes.map((n) => n.hostname)).toHaveLength(3)
      expect(overview.worstNodes[0]!.score).toBeLessThanOrEqual(overview.worstNodes[2]!.score!)
      expect(overview.trend.points).toEqual([{ day: '2026-03-02', score: expect.any(Number) }])
      expect(overview.domains.map((d) => d.domain)).toEqual(['system'])
      const failing = await subject.backend.dashboard.explore({ status: 'fail', sort: 'severity', limit: 1000, offset: 0 })
      expect(Object.values(overview.openFailures).reduce((a, b) => a + b, 0)).toBe(failing.length)
      expect(overview.newFailures.length).toBe(Math.min(10, failing.length))
    })

    it('filters and sorts the explorer by status, label, node (with LIKE metacharacters), rule prefix; pages', async () => {
      const { dashboard } = subject.backend
      const all = await dashboard.explore({ sort: 'severity', limit: 1000, offset: 0 })
      expect(all.length).toBeGreaterThan(3)
      const prod = await dashboard.explore({ label: { key: 'env', value: 'prod' }, sort: 'severity', limit: 1000, offset: 0 })
      expect(new Set(prod.map((f) => f.node.hostname))).toEqual(new Set(['web-1', 'web_2']))
      // `_` is a literal underscore, not a wildcard: web_2 only.
      const underscore = await dashboard.explore({ node: 'b_', sort: 'severity', limit: 1000, offset: 0 })
      expect(new Set(underscore.map((f) => f.node.hostname))).toEqual(new Set(['web_2']))
      const prefix = await dashboard.explore({ rule: 'system.', sort: 'age', limit: 1000, offset: 0 })
      expect(prefix.length).toBe(all.length)
      const page1 = await dashboard.explore({ sort: 'sla', limit: 2, offset: 0 })
      const page2 = await dashboard.explore({ sort: 'sla', limit: 2, offset: 2 })
      const both = await dashboard.explore({ sort: 'sla', limit: 4, offset: 0 })
      expect([...page1, ...page2]).toEqual(both)
      const fails = await dashboard.explore({ status: 'fail', sort: 'severity', limit: 1000, offset: 0 })
      expect(fails.every((f) => f.status === 'fail' && f.lifecycle.state === 'open' && f.title.length > 0)).toBe(true)
      expect(fails[0]).toMatchObject({ node: { id: expect.any(String) }, lifecycle: { firstSeen: expect.any(String), reopenedCount: 0 } })
    })

    it('counts nodes passing and failing each framework control', async () => {
      const catalogue = new Map(ruleSet.rules.map(({ spec }) => [spec.id, spec.controls]))
      const view = await subject.backend.dashboard.compliance('soc2', catalogue)
      expect(view.framework).toBe('soc2')
      expect(view.frameworks).toContain('soc2')
      const touched = view.controls.filter((c) => c.nodesFailing + c.nodesPassing > 0)
      expect(touched.length).toBeGreaterThan(0)
      for (const c of touched) expect(c.nodesFailing + c.nodesPassing).toBeLessThanOrEqual(3)
      expect(touched.some((c) => c.nodesFailing > 0)).toBe(true)
    })
  })
}
