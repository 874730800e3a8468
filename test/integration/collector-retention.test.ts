import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../../collector/audit/sqlite-audit-log.js'
import { buildCollector, type Collector } from '../../collector/build-collector.js'
import { resolveCollectorConfig } from '../../collector/collector-config.js'
import { runExport } from '../../collector/evidence/run-export.js'
import { SqliteEvidenceSource } from '../../collector/evidence/sqlite-evidence-source.js'
import { SqliteManualEvidence } from '../../collector/evidence/sqlite-manual-evidence.js'
import { verifyEvidenceArchive } from '../../collector/evidence/verify-archive.js'
import { prepareRetention } from '../../collector/store/sqlite-retention.js'
import { SqliteStore } from '../../collector/store/sqlite-store.js'
import { loadRuleSet, type RuleSet } from '../../rules/load-rules.js'
import { captureLog, fakeReport } from './collector-fixtures.js'

/** History retention on real SQLite files: what is pruned, what is kept, and what exports say. */
const now = new Date('2026-06-01T12:00:00Z')
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000)
let ruleSet: RuleSet
let dir: string
let store: SqliteStore | undefined
let collector: Collector | undefined

beforeAll(() => {
  ruleSet = loadRuleSet()
})
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-retention-'))
})
afterEach(async () => {
  store?.close()
  store = undefined
  await collector?.close()
  collector = undefined
  rmSync(dir, { recursive: true, force: true })
})

/** Stores a scan of `hostname` that finished and was received `age` days before `now`. */
async function scanAt(s: SqliteStore, hostname: string, age: number): Promise<string> {
  const at = daysAgo(age)
  const report = await fakeReport(ruleSet, { hostname, synchronized: age % 2 === 0 }, at, `${hostname}-${age}`)
  const [result] = await s.ingest([{ kind: 'scan', agentId: null, seq: null, report, agentRulesVersion: null, scoredWith: `${ruleSet.version}|w0`, receivedAt: at, labels: {}, agentVersion: '0.1.0' }])
  expect(result?.status).toBe('stored')
  return report.node.id
}

const count = (s: SqliteStore, sql: string, ...args: unknown[]) => (s.db.prepare(sql).get(...args) as { n: number }).n

describe('history retention', () => {
  it('prunes full scans past findingsDays (findings with them) and daily scores past dailyScoresDays, keeps every node current scan, and records the horizon', async () => {
    store = new SqliteStore(join(dir, 'posture.db'), ruleSet.scoring)
    const s = store
    const busy = await scanAt(s, 'busy', 100)
    for (const age of [50, 10, 1]) await scanAt(s, 'busy', age)
    // A node silent for 200 days: its only scan is its current state and stays.
    const silent = await scanAt(s, 'silent', 200)
    expect(count(s, 'SELECT count(*) AS n FROM scans')).toBe(5)
    const findingsPerScan = count(s, "SELECT count(*) AS n FROM findings f JOIN scans s ON s.pk = f.scan_pk WHERE s.scan_id = 'busy-1'")
    expect(findingsPerScan).toBeGreaterThan(0)
    expect(count(s, 'SELECT count(*) AS n FROM node_daily_scores')).toBe(5)

    const retention = prepareRetention(s.db)
    expect(retention.horizon()).toEqual({ findingsFrom: null, findingsDays: null, dailyScoresFrom: null, dailyScoresDays: null })
    // batchScans 1: every deletion its own transaction, the walk resumed between them.
    const result = await retention.prune({ findingsDays: 30, dailyScoresDays: 60, batchScans: 1 }, now)
    expect(result).toMatchObject({ scans: 2, nodeDailyScores: 2, fleetDailyScores: 2 })
    expect(s.db.prepare('SELECT scan_id FROM scans ORDER BY pk').all()).toEqual([{ scan_id: 'busy-10' }, { scan_id: 'busy-1' }, { scan_id: 'silent-200' }])
    // Findings went with their scans (ON DELETE CASCADE): none left behind.
    expect(count(s, 'SELECT count(*) AS n FROM findings WHERE scan_pk NOT IN (SELECT pk FROM scans)')).toBe(0)
    expect(count(s, 'SELECT count(*) AS n FROM findings')).toBe(3 * findingsPerScan)
    expect(s.db.prepare('SELECT node_id, day FROM node_daily_scores ORDER BY day').all()).toEqual([
      { node_id: busy, day: daysAgo(50).toISOString().slice(0, 10) },
      { node_id: busy, day: daysAgo(10).toISOString().slice(0, 10) },
      { node_id: busy, day: daysAgo(1).toISOString().slice(0, 10) },
    ])
    expect(count(s, 'SELECT count(*) AS n FROM fleet_daily_scores')).toBe(3)
    expect(result.horizon).toEqual({ findingsFrom: daysAgo(30).toISOString(), findingsDays: 30, dailyScoresFrom: daysAgo(60).toISOString().slice(0, 10), dailyScoresDays: 60 })
    // The current state is untouched: both nodes keep their latest report and score.
    expect((await s.latestReport(silent))?.scanId).toBe('silent-200')
    expect((await s.latestReport(busy))?.scanId).toBe('busy-1')
    expect((await s.getNode(busy))?.score).not.toBeNull()

    // Keeping more later cannot bring pruned data back: the horizon stays at the later cutoff.
    const again = await retention.prune({ findingsDays: 400, dailyScoresDays: 800, batchScans: 500 }, now)
    expect(again).toMatchObject({ scans: 0, nodeDailyScores: 0, fleetDailyScores: 0 })
    expect(again.horizon).toMatchObject({ findingsFrom: daysAgo(30).toISOString(), findingsDays: 400 })
  })

  it('runs as a background job in a running collector, on its interval', async () => {
    const data = join(dir, 'data')
    mkdirSync(data, { mode: 0o700 })
    store = new SqliteStore(join(data, 'posture.db'), ruleSet.scoring)
    await scanAt(store, 'old', 90)
    await scanAt(store, 'old', 2)
    store.close()
    store = undefined
    const logs = captureLog()
    const config = resolveCollectorConfig({}, { dataDir: data, listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 }, retention: { findingsDays: 30, dailyScoresDays: 60, intervalMs: 200 } }, dir)
    collector = await buildCollector(config, { logger: logs.log, clock: () => now })
    await collector.start()
    await expect.poll(() => logs.lines().find((l) => l.msg === 'history pruned'), { timeout: 30_000, interval: 50 }).toMatchObject({ scans: 1, nodeDailyScores: 1, findingsFrom: daysAgo(30).toISOString() })
    expect(collector.store.db.prepare('SELECT scan_id FROM scans').all()).toEqual([{ scan_id: 'old-2' }])
    expect(logs.lines().some((l) => l.msg === 'history pruning failed')).toBe(false)
  })

  it('an evidence export whose window reaches before the retained history says so in its signed manifest and report', async () => {
    store = new SqliteStore(join(dir, 'posture.db'), ruleSet.scoring)
    const s = store
    for (const age of [45, 20, 5]) await scanAt(s, 'audited', age)
    await prepareRetention(s.db).prune({ findingsDays: 30, dailyScoresDays: 0, batchScans: 100 }, now)
    const source = new SqliteEvidenceSource(s.db, new SqliteManualEvidence(s.db, dir), new SqliteAuditLog(s.db))
    const deps = { source, dataDir: dir, ruleSet, collectorVersion: '0.1.0', audit: new SqliteAuditLog(s.db), now }
    const base = { framework: 'soc2', labels: {}, exportedBy: 'auditor', ip: null }

    const beyondOut = join(dir, 'beyond.zip')
    const beyond = await runExport(deps, { ...base, window: { from: daysAgo(90), to: now }, out: beyondOut })
    expect(beyond.retention).toEqual({
      findingsFrom: daysAgo(30).toISOString(),
      findingsDays: 30,
      windowBeyondRetention: true,
      note: expect.stringContaining(`scans finished before ${daysAgo(30).toISOString()} were pruned`),
    })
    expect(beyond.counts.scans).toBe(2)
    const verdict = await verifyEvidenceArchive(beyondOut)
    expect(verdict).toMatchObject({ ok: true })

    const within = await runExport(deps, { ...base, window: { from: daysAgo(25), to: now }, out: join(dir, 'within.zip') })
    expect(within.retention).toMatchObject({ windowBeyondRetention: false })
  }, 60_000)
})
