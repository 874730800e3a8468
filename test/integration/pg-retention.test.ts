import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { preparePgRetention } from '../../collector/store/pg/pg-retention.js'
import { openPgStore } from '../../collector/store/pg/pg-store.js'
import { prepareRetention, type PruneResult } from '../../collector/store/sqlite-retention.js'
import { SqliteStore } from '../../collector/store/sqlite-store.js'
import type { IngestItem, Store } from '../../collector/store/store.js'
import { loadRuleSet, type RuleSet } from '../../rules/load-rules.js'
import type { Report } from '../../rules/report.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'
import { fakeReport } from './collector-fixtures.js'

// History retention prunes the same rows on PostgreSQL as on SQLite.
const hasPg = canRunPostgres()

describe.skipIf(!hasPg)('history retention on both backends', () => {
  let server: TestPostgres
  let ruleSet: RuleSet
  beforeAll(async () => {
    ruleSet = loadRuleSet()
    server = await startPostgres()
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
  })

  const item = (report: Report, receivedAt: Date): IngestItem => ({
    kind: 'scan', agentId: null, seq: 0, report, agentRulesVersion: null, scoredWith: `${ruleSet.version}|0`, receivedAt, labels: {}, agentVersion: '0.1.0',
  })

  async function scenario(store: Store, prune: (now: Date) => Promise<PruneResult>, scanIds: () => Promise<string[]>) {
    const at = (iso: string) => new Date(iso)
    const report = (hostname: string, iso: string, scanId: string) => fakeReport(ruleSet, { hostname }, at(iso), scanId)
    await store.ingest([item(await report('a', '2025-01-01T00:00:00Z', 'a-old-1'), at('2025-01-01T00:00:00Z'))])
    await store.ingest([item(await report('a', '2025-01-02T00:00:00Z', 'a-old-2'), at('2025-01-02T00:00:00Z'))])
    await store.ingest([item(await report('b', '2025-01-03T00:00:00Z', 'b-current-old'), at('2025-01-03T00:00:00Z'))])
    await store.ingest([item(await report('a', '2026-03-09T00:00:00Z', 'a-current'), at('2026-03-09T00:00:00Z'))])
    // A late report of an old scan, received recently: history, kept until it is old itself.
    await store.ingest([item(await report('a', '2025-01-04T00:00:00Z', 'a-late'), at('2026-03-09T01:00:00Z'))])
    const result = await prune(at('2026-03-10T00:00:00Z'))
    return { result, remaining: (await scanIds()).sort() }
  }

  it('keeps current and recently received scans, drops the rest, records the horizon', async () => {
    const policy = { findingsDays: 30, dailyScoresDays: 30, batchScans: 2 }
    const dir = mkdtempSync(join(tmpdir(), 'posture-retention-'))
    const sqlite = new SqliteStore(join(dir, 'posture.db'), ruleSet.scoring)
    const pg = await openPgStore(await server.createDatabase(), ruleSet.scoring)
    try {
      const sqliteRetention = prepareRetention(sqlite.db)
      const onSqlite = await scenario(sqlite, (now) => sqliteRetention.prune(policy, now), async () =>
        (sqlite.db.prepare('SELECT scan_id FROM scans').all() as { scan_id: string }[]).map((r) => r.scan_id),
      )
      const pgRetention = preparePgRetention(pg.pool)
      const onPg = await scenario(pg, (now) => pgRetention.prune(policy, now), async () =>
        (await pg.pool.query<{ scan_id: string }>('SELECT scan_id FROM scans')).rows.map((r) => r.scan_id),
      )
      expect(onSqlite.remaining).toEqual(['a-current', 'a-late', 'b-current-old'])
      expect(onSqlite.result).toMatchObject({ scans: 2, horizon: { findingsFrom: '2026-02-08T00:00:00.000Z', findingsDays: 30, dailyScoresFrom: '2026-02-08', dailyScoresDays: 30 } })
      expect(onSqlite.result.nodeDailyScores).toBeGreaterThan(0)
      expect(onPg).toEqual(onSqlite)
      expect(await pgRetention.horizon()).toEqual(onSqlite.result.horizon)
      // An earlier cutoff never moves the recorded horizon back.
      await pgRetention.prune({ ...policy, findingsDays: 400, dailyScoresDays: 400 }, new Date('2026-03-10T00:00:00Z'))
      expect((await pgRetention.horizon()).findingsFrom).toBe('2026-02-08T00:00:00.000Z')
    } finally {
      sqlite.close()
      await pg.end()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
