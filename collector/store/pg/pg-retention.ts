import { retentionBatch, retentionCutoffs, retentionSettingKeys, type PruneResult, type RetentionHorizon, type RetentionPolicy } from '../sqlite-retention.js'
import type { PgPool } from './pg-pool.js'

/**
 * History retention on PostgreSQL, with the SQLite job's rules (sqlite-retention.ts): scans
 * past `findingsDays` go (findings cascade), each node's current scan stays however old, a
 * late report received recently stays until it is old itself; daily scores past
 * `dailyScoresDays` go; the horizon is recorded in `settings`. Scans are walked in pk order
 * and deleted in batches of `batchScans`, each its own short transaction. With several
 * collectors only the cluster leader runs it (retention-schedule.ts).
 */
export function preparePgRetention(pool: PgPool) {
  const setting = async (key: string): Promise<string | null> =>
    (await pool.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key])).rows[0]?.value ?? null

  /** Records the later of the recorded and the new cutoff (atomically: data before either is gone). */
  const raise = async (key: string, cutoff: string, daysKey: string, days: number) => {
    await pool.query(
      `INSERT INTO settings (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = CASE WHEN settings.value < excluded.value THEN excluded.value ELSE settings.value END`,
      [key, cutoff],
    )
    await pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [daysKey, String(days)])
  }

  async function horizon(): Promise<RetentionHorizon> {
    const days = async (key: string) => {
      const v = await setting(key)
      return v === null ? null : Number(v)
    }
    return {
      findingsFrom: await setting(retentionSettingKeys.findingsFrom),
      findingsDays: await days(retentionSettingKeys.findingsDays),
      dailyScoresFrom: await setting(retentionSettingKeys.dailyScoresFrom),
      dailyScoresDays: await days(retentionSettingKeys.dailyScoresDays),
    }
  }

  async function pruneScans(cutoff: string, batchScans: number): Promise<number> {
    let scans = 0
    let after = 0
    for (;;) {
      const { rows } = await pool.query<{ pk: number; received_at: string; finished_at: string }>(
        'SELECT pk, received_at, finished_at FROM scans WHERE pk > $1 ORDER BY pk LIMIT $2',
        [after, batchScans],
      )
      const batch = retentionBatch(rows, cutoff, after)
      after = batch.after
      if (batch.doomed.length > 0) {
        // Current scans are excluded in the DELETE itself: another collector may have moved a node meanwhile.
        const deleted = await pool.query(
          'DELETE FROM scans WHERE pk = ANY($1::bigint[]) AND pk NOT IN (SELECT last_scan_pk FROM nodes WHERE last_scan_pk IS NOT NULL)',
          [batch.doomed],
        )
        scans += deleted.rowCount ?? 0
      }
      if (batch.reachedYoung || rows.length < batchScans) return scans
    }
  }

  async function prune(policy: RetentionPolicy, now: Date): Promise<PruneResult> {
    if (!(policy.batchScans >= 1)) throw new RangeError('batchScans must be at least 1')
    const cutoffs = retentionCutoffs(now, policy)
    let scans = 0
    if (cutoffs.findings !== null) {
      scans = await pruneScans(cutoffs.findings, policy.batchScans)
      await raise(retentionSettingKeys.findingsFrom, cutoffs.findings, retentionSettingKeys.findingsDays, policy.findingsDays)
    }
    let nodeDailyScores = 0
    let fleetDailyScores = 0
    if (cutoffs.dailyScoresDay !== null) {
      nodeDailyScores = (await pool.query('DELETE FROM node_daily_scores WHERE day < $1', [cutoffs.dailyScoresDay])).rowCount ?? 0
      fleetDailyScores = (await pool.query('DELETE FROM fleet_daily_scores WHERE day < $1', [cutoffs.dailyScoresDay])).rowCount ?? 0
      await raise(retentionSettingKeys.dailyScoresFrom, cutoffs.dailyScoresDay, retentionSettingKeys.dailyScoresDays, policy.dailyScoresDays)
    }
    return { scans, nodeDailyScores, fleetDailyScores, horizon: await horizon() }
  }

  return { prune, horizon }
}
