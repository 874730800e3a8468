import type { Db } from './sqlite-open.js'

/**
 * History retention (collector config `retention`): full scans — facts, findings with their
 * evidence — are kept `findingsDays`; the daily score trend (node_daily_scores,
 * fleet_daily_scores) is kept `dailyScoresDays`; 0 keeps either forever. A node's current
 * scan (nodes.last_scan_pk) is never pruned, however old: it is the node's state and what
 * re-scoring evaluates. Findings go with their scan (ON DELETE CASCADE).
 *
 * What was pruned is recorded as a horizon in `settings` (the latest cutoff ever applied),
 * so an evidence export can say that its window reaches before the data it still holds.
 * Deletes run in batches of `batchScans`, each its own short transaction, yielding to the
 * event loop between batches so that agents' reports keep being stored meanwhile.
 */
export interface RetentionPolicy {
  findingsDays: number
  dailyScoresDays: number
  batchScans: number
}

export interface RetentionHorizon {
  /** Scans that finished before this instant were pruned (each node's current scan excepted); null: never pruned. */
  findingsFrom: string | null
  findingsDays: number | null
  /** Daily scores of days before this one (YYYY-MM-DD) were pruned; null: never pruned. */
  dailyScoresFrom: string | null
  dailyScoresDays: number | null
}

export interface PruneResult {
  scans: number
  nodeDailyScores: number
  fleetDailyScores: number
  horizon: RetentionHorizon
}

export const retentionSettingKeys = {
  findingsFrom: 'retention.findingsFrom',
  findingsDays: 'retention.findingsDays',
  dailyScoresFrom: 'retention.dailyScoresFrom',
  dailyScoresDays: 'retention.dailyScoresDays',
} as const

const dayMs = 86_400_000

/** The instants before which data goes (null: kept forever). Pure. */
export function retentionCutoffs(now: Date, policy: Pick<RetentionPolicy, 'findingsDays' | 'dailyScoresDays'>): { findings: string | null; dailyScoresDay: string | null } {
  return {
    findings: policy.findingsDays > 0 ? new Date(now.getTime() - policy.findingsDays * dayMs).toISOString() : null,
    dailyScoresDay: policy.dailyScoresDays > 0 ? new Date(now.getTime() - policy.dailyScoresDays * dayMs).toISOString().slice(0, 10) : null,
  }
}

/**
 * One batch of the walk over scans in pk (receive) order, for both backends: the scans to
 * delete, the pk the next batch starts after, and whether the walk reached a scan received
 * at or after `cutoff` (every later one is younger: the walk is done). Pure.
 */
export function retentionBatch(
  rows: readonly { pk: number; received_at: string; finished_at: string }[],
  cutoff: string,
  after: number,
  isCurrent: (pk: number) => boolean = () => false,
): { doomed: number[]; after: number; reachedYoung: boolean } {
  const doomed: number[] = []
  for (const row of rows) {
    if (row.received_at >= cutoff) return { doomed, after, reachedYoung: true }
    after = row.pk
    // A late report of an old scan received recently is kept until it is old itself.
    if (row.finished_at < cutoff && !isCurrent(row.pk)) doomed.push(row.pk)
  }
  return { doomed, after, reachedYoung: false }
}

export function prepareRetention(db: Db) {
  const s = {
    current: db.prepare<[], { pk: number }>('SELECT last_scan_pk AS pk FROM nodes WHERE last_scan_pk IS NOT NULL'),
    // Scans in insertion order (pk), which is receive order: the walk stops at the first one young enough.
    scansAfter: db.prepare<[number, number], { pk: number; received_at: string; finished_at: string }>('SELECT pk, received_at, finished_at FROM scans WHERE pk > ? ORDER BY pk LIMIT ?'),
    deleteScan: db.prepare('DELETE FROM scans WHERE pk = ?'),
    nodeIds: db.prepare<[], { node_id: string }>('SELECT id AS node_id FROM nodes'),
    deleteNodeDays: db.prepare('DELETE FROM node_daily_scores WHERE node_id = ? AND day < ?'),
    deleteFleetDays: db.prepare('DELETE FROM fleet_daily_scores WHERE day < ?'),
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    setSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
  }
  const deleteScans = db.transaction((pks: readonly number[]) => {
    for (const pk of pks) s.deleteScan.run(pk)
  })
  const deleteDays = db.transaction((day: string) => {
    let nodeRows = 0
    for (const { node_id } of s.nodeIds.all()) nodeRows += s.deleteNodeDays.run(node_id, day).changes
    return { nodeRows, fleetRows: s.deleteFleetDays.run(day).changes }
  })
  const setting = (key: string) => s.getSetting.get(key)?.value ?? null
  /** Records the later of the recorded and the new cutoff: data before either is gone. */
  const raise = (key: string, cutoff: string, daysKey: string, days: number) => {
    const previous = setting(key)
    if (previous === null || previous < cutoff) s.setSetting.run(key, cutoff)
    s.setSetting.run(daysKey, String(days))
  }

  function horizon(): RetentionHorizon {
    const days = (key: string) => {
      const v = setting(key)
      return v === null ? null : Number(v)
    }
    return {
      findingsFrom: setting(retentionSettingKeys.findingsFrom),
      findingsDays: days(retentionSettingKeys.findingsDays),
      dailyScoresFrom: setting(retentionSettingKeys.dailyScoresFrom),
      dailyScoresDays: days(retentionSettingKeys.dailyScoresDays),
    }
  }

  async function prune(policy: RetentionPolicy, now: Date): Promise<PruneResult> {
    if (!(policy.batchScans >= 1)) throw new RangeError('batchScans must be at least 1')
    const cutoffs = retentionCutoffs(now, policy)
    let scans = 0
    if (cutoffs.findings !== null) {
      const cutoff = cutoffs.findings
      const current = new Set(s.current.all().map((r) => r.pk))
      let after = 0
      for (;;) {
        const rows = s.scansAfter.all(after, policy.batchScans)
        const batch = retentionBatch(rows, cutoff, after, (pk) => current.has(pk))
        after = batch.after
        if (batch.doomed.length > 0) deleteScans(batch.doomed)
        scans += batch.doomed.length
        if (batch.reachedYoung || rows.length < policy.batchScans) break
        // Let the ingest queue commit between two batches.
        await new Promise((resolve) => setImmediate(resolve))
      }
      raise(retentionSettingKeys.findingsFrom, cutoff, retentionSettingKeys.findingsDays, policy.findingsDays)
    }
    let nodeDailyScores = 0
    let fleetDailyScores = 0
    if (cutoffs.dailyScoresDay !== null) {
      const deleted = deleteDays(cutoffs.dailyScoresDay)
      nodeDailyScores = deleted.nodeRows
      fleetDailyScores = deleted.fleetRows
      raise(retentionSettingKeys.dailyScoresFrom, cutoffs.dailyScoresDay, retentionSettingKeys.dailyScoresDays, policy.dailyScoresDays)
    }
    return { scans, nodeDailyScores, fleetDailyScores, horizon: horizon() }
  }

  return { prune, horizon }
}
