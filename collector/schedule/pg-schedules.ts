import { PostureError } from '../../rules/posture-error.js'
import type { PgPool } from '../store/pg/pg-pool.js'
import { withPgTransaction } from '../store/pg/pg-transaction.js'
import type { RunStatus, RunTrigger, Schedule, ScheduleRun, ScheduleSpec } from './schedule-spec.js'
import type { RunningRun, ScheduleStore } from './schedule-store.js'
import { toRun, toSchedule, type RunRow, type ScheduleRow } from './sqlite-schedules.js'

/**
 * Schedules and their run history on PostgreSQL (same tables and rows as SQLite; the row
 * conversions are sqlite-schedules.ts's). A duplicate live name is refused by the
 * `schedules_live_name` unique index even when two collectors add it at once.
 */
export class PgSchedules implements ScheduleStore {
  readonly #pool: PgPool

  constructor(pool: PgPool) {
    this.#pool = pool
  }

  async add(spec: ScheduleSpec, now: Date): Promise<Schedule> {
    try {
      const { rows } = await this.#pool.query<ScheduleRow>(
        `INSERT INTO schedules (name, cron, time_zone, jitter_ms, target, mode, domains, enabled, created_at, since)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *`,
        [spec.name, spec.cron, spec.timeZone, spec.jitterMs, JSON.stringify(spec.target), spec.mode, JSON.stringify(spec.domains), spec.enabled ? 1 : 0, now.toISOString()],
      )
      return toSchedule(rows[0]!)
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new PostureError('BAD_INPUT', `a schedule named ${spec.name} already exists`)
      throw err
    }
  }

  async list(): Promise<Schedule[]> {
    return (await this.#pool.query<ScheduleRow>('SELECT * FROM schedules WHERE deleted_at IS NULL ORDER BY name')).rows.map(toSchedule)
  }

  async get(ref: number | string): Promise<Schedule | null> {
    const { rows } = await this.#pool.query<ScheduleRow>(`SELECT * FROM schedules WHERE ${typeof ref === 'number' ? 'id' : 'name'} = $1 AND deleted_at IS NULL`, [ref])
    return rows[0] ? toSchedule(rows[0]) : null
  }

  async update(id: number, spec: ScheduleSpec, now: Date): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE schedules SET cron = $2, time_zone = $3, jitter_ms = $4, target = $5, mode = $6, domains = $7, enabled = $8, since = $9
       WHERE id = $1 AND deleted_at IS NULL`,
      [id, spec.cron, spec.timeZone, spec.jitterMs, JSON.stringify(spec.target), spec.mode, JSON.stringify(spec.domains), spec.enabled ? 1 : 0, now.toISOString()],
    )
    return (result.rowCount ?? 0) > 0
  }

  async remove(id: number, now: Date): Promise<boolean> {
    return ((await this.#pool.query('UPDATE schedules SET deleted_at = $1, enabled = 0 WHERE id = $2 AND deleted_at IS NULL', [now.toISOString(), id])).rowCount ?? 0) > 0
  }

  async setEnabled(id: number, enabled: boolean, now: Date): Promise<boolean> {
    const result = enabled
      ? await this.#pool.query('UPDATE schedules SET enabled = 1, since = $1 WHERE id = $2 AND deleted_at IS NULL AND enabled = 0', [now.toISOString(), id])
      : await this.#pool.query('UPDATE schedules SET enabled = 0 WHERE id = $1 AND deleted_at IS NULL', [id])
    return (result.rowCount ?? 0) > 0
  }

  async startRun(run: { scheduleId: number; trigger: RunTrigger; slot: Date | null; missedSlots: number; startedAt: Date; owner: string }): Promise<ScheduleRun> {
    return withPgTransaction(this.#pool, async (client) => {
      const slot = run.slot?.toISOString() ?? null
      if (slot !== null) await client.query('UPDATE schedules SET last_slot = $1 WHERE id = $2', [slot, run.scheduleId])
      const { rows } = await client.query<RunRow>(
        `INSERT INTO schedule_runs (schedule_id, trigger, slot, missed_slots, started_at, status, owner) VALUES ($1, $2, $3, $4, $5, 'running', $6) RETURNING *`,
        [run.scheduleId, run.trigger, slot, run.missedSlots, run.startedAt.toISOString(), run.owner],
      )
      return toRun(rows[0]!)
    })
  }

  async setTargeted(runId: number, targeted: number): Promise<void> {
    await this.#pool.query('UPDATE schedule_runs SET targeted = $1 WHERE id = $2', [targeted, runId])
  }

  async finishRun(runId: number, result: { finishedAt: Date; status: Exclude<RunStatus, 'running'>; targeted: number; scans: ScheduleRun['scans']; failures: ScheduleRun['failures'] }): Promise<ScheduleRun> {
    const { rows } = await this.#pool.query<RunRow>(
      `UPDATE schedule_runs SET finished_at = $2, status = $3, targeted = $4, scanned = $5, scans = $6, failures = $7 WHERE id = $1 RETURNING *`,
      [runId, result.finishedAt.toISOString(), result.status, result.targeted, result.scans.length, JSON.stringify(result.scans), JSON.stringify(result.failures)],
    )
    return toRun(rows[0]!)
  }

  async run(runId: number): Promise<ScheduleRun | null> {
    const { rows } = await this.#pool.query<RunRow>('SELECT * FROM schedule_runs WHERE id = $1', [runId])
    return rows[0] ? toRun(rows[0]) : null
  }

  async runs(scheduleId: number, limit: number): Promise<ScheduleRun[]> {
    return (await this.#pool.query<RunRow>('SELECT * FROM schedule_runs WHERE schedule_id = $1 ORDER BY id DESC LIMIT $2', [scheduleId, limit])).rows.map(toRun)
  }

  async runningRuns(): Promise<RunningRun[]> {
    const { rows } = await this.#pool.query<{ id: number | string; owner: string | null }>("SELECT id, owner FROM schedule_runs WHERE status = 'running' ORDER BY id")
    return rows.map((r) => ({ id: Number(r.id), owner: r.owner }))
  }

  async interruptRuns(runIds: readonly number[], now: Date): Promise<number> {
    if (runIds.length === 0) return 0
    const result = await this.#pool.query("UPDATE schedule_runs SET status = 'interrupted', finished_at = $1 WHERE id = ANY($2::bigint[]) AND status = 'running'", [now.toISOString(), [...runIds]])
    return result.rowCount ?? 0
  }
}
