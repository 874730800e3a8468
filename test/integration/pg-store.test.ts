import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openPgStore, type PgStore } from '../../collector/store/pg/pg-store.js'
import type { IngestItem } from '../../collector/store/store.js'
import { loadRuleSet, type RuleSet } from '../../rules/load-rules.js'
import type { Report } from '../../rules/report.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'
import { describeStoreContract } from '../unit/collector/store/store-contract.js'
import { fakeReport } from './collector-fixtures.js'

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// The Store contract on a real PostgreSQL, a fresh database per test; then what only
// PostgreSQL has: several collectors (stores) writing to one database at once.
const hasPg = canRunPostgres()
let server: TestPostgres | undefined
beforeAll(async () => {
  if (hasPg) server = await startPostgres()
}, 120_000)
afterAll(async () => {
  await server?.stop()
})

describeStoreContract(
  'PgStore',
  async (policy) => {
    const store = await openPgStore(await server!.createDatabase(), policy)
    return {
      store,
      countRows: async (table) => (await store.pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n,
      close: () => store.end(),
    }
  },
  { skip: !hasPg },
)

describe.skipIf(!hasPg)('PgStore with several collectors', () => {
  let ruleSet: RuleSet
  const stores: PgStore[] = []
  const open = async (url: string) => {
    const store = await openPgStore(url, ruleSet.scoring, { maxConnections: 4 })
    stores.push(store)
    return store
  }
  beforeAll(() => {
    ruleSet = loadRuleSet()
  })
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.end()
  })
  const item = (report: Report): IngestItem => ({
    kind: 'scan', agentId: null, seq: 0, report, agentRulesVersion: null, scoredWith: `${ruleSet.version}|0`,
    receivedAt: new Date(report.finishedAt), labels: {}, agentVersion: '0.1.0',
  })

  it('stores a report delivered through two collectors at the same moment once', async () => {
    const url = await server!.createDatabase()
    const [a, b] = await Promise.all([open(url), open(url)])
    const reports = await Promise.all(
      Array.from({ length: 20 }, (_, i) => fakeReport(ruleSet, { hostname: `n${i % 5}`, synchronized: i % 2 === 0 }, new Date(Date.UTC(2026, 2, 2, 10, i)))),
    )
    // Every report to both collectors, in batches of different shapes and orders, all at once.
    const results = await Promise.all([
      ...reports.map((r) => a.ingest([item(r)])),
      b.ingest(reports.map(item).reverse()),
      b.ingest(reports.slice(0, 10).map(item)),
    ])
    const stored = results.flat().filter((r) => r.status === 'stored').length
    expect(results.flat().filter((r) => r.status === 'failed')).toEqual([])
    expect(stored).toBe(reports.length)
    expect((await a.pool.query<{ n: number }>('SELECT count(*) AS n FROM scans')).rows[0]!.n).toBe(reports.length)
    expect((await a.pool.query<{ n: number }>('SELECT count(*) AS n FROM findings')).rows[0]!.n).toBe(reports.reduce((n, r) => n + r.findings.length, 0))
    // Each node's current state is its newest report, whichever collector stored it.
    const nodes = await b.listNodes()
    expect(nodes).toHaveLength(5)
    for (const node of nodes) {
      const newest = reports.filter((r) => r.node.id === node.id).sort((x, y) => y.finishedAt.localeCompare(x.finishedAt))[0]!
      expect((await a.latestReport(node.id))?.scanId).toBe(newest.scanId)
    }
  })

  it('relies on the unique scan_id, not on its own read: a copy committed meanwhile by another writer makes a duplicate', async () => {
    const url = await server!.createDatabase()
    const store = await open(url)
    const report = await fakeReport(ruleSet, { hostname: 'race' }, new Date('2026-03-02T10:00:00Z'))
    await store.ingest([item(await fakeReport(ruleSet, { hostname: 'race' }, new Date('2026-03-01T10:00:00Z')))])
    // Another writer (outside the ingest lock, like a migration) inserts the same scan and has not committed yet.
    const other = await store.pool.connect()
    try {
      await other.query('BEGIN')
      await other.query(
        `INSERT INTO scans (scan_id, node_id, kind, source, posture_version, rules_version, domains, started_at, finished_at, received_at, score_json)
         VALUES ($1, $2, 'scan', 'x', '0', '0', '[]', $3, $3, $3, '{}')`,
        [report.scanId, report.node.id, report.finishedAt],
      )
      const pending = store.ingest([item(report)])
      // The ingest has read "not there yet" and now waits on the unique index for the other transaction.
      await waitFor(async () => (await store.pool.query<{ n: number }>("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")).rows[0]!.n > 0)
      await other.query('COMMIT')
      expect(await pending).toEqual([{ status: 'duplicate' }])
    } finally {
      other.release()
    }
    expect((await store.pool.query<{ n: number }>('SELECT count(*) AS n FROM scans WHERE scan_id = $1', [report.scanId])).rows[0]!.n).toBe(1)
    // Its node was not moved by the report that turned out to be a duplicate.
    expect((await store.getNode(report.node.id))?.lastScanAt).toBe('2026-03-01T10:00:00.000Z')
  })

  it('lets one of two collectors spend an enrollment token', async () => {
    const url = await server!.createDatabase()
    const [a, b] = await Promise.all([open(url), open(url)])
    const now = new Date('2026-03-05T00:00:00Z')
    await a.createEnrollmentToken({ id: 't', secretHash: 'h', labels: {}, createdAt: now.toISOString(), expiresAt: '2026-03-06T00:00:00Z' })
    const agent = (id: string) => ({ id, secretHash: 'x', hostname: id, agentVersion: '0.1.0', enrolledAt: now.toISOString() })
    const outcomes = await Promise.all([a.enrollAgent('t', () => true, agent('a1'), now), b.enrollAgent('t', () => true, agent('a2'), now)])
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1)
    expect(outcomes.filter((o) => !o.ok)).toEqual([{ ok: false, reason: 'used' }])
    expect(await a.listAgents()).toHaveLength(1)
  })

  it('refuses backup() with a pointer to pg_dump, and closes cleanly twice', async () => {
    const store = await open(await server!.createDatabase())
    await expect(store.backup('/tmp/x')).rejects.toMatchObject({ code: 'BAD_USAGE', message: expect.stringContaining('pg_dump') })
    await store.end()
    await store.end()
  })

  it('names the server it cannot reach, without the password', async () => {
    const url = server!.url('postgres').replace('posture@', 'posture:s3cret@').replace(/:\d+\//, ':1/')
    await expect(openPgStore(url, ruleSet.scoring, { connectTimeoutMs: 2000 })).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
      message: expect.not.stringContaining('s3cret'),
    })
  })
})
