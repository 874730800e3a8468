import { z } from 'zod'
import type Database from 'better-sqlite3'
import { domainSchema } from '../../rules/domains.js'
import { PostureError } from '../../rules/posture-error.js'
import type { RunningRun, ScheduleStore } from './schedule-store.js'
import { scheduleTargetSchema, type RunStatus, type RunTrigger, type Schedule, type ScheduleRun, type ScheduleSpec } from './schedule-spec.js'

type Db = Database.Database

/**
 * Schedules and their run history in the collector's SQLite database (tables in
 * schedule-schema.ts). Named prepared statements, rows turned into domain types here,
 * each method one synchronous transaction (async signatures, like the collector's Store,
 * so that another database fits behind the same calls).
 */
export class SqliteSchedules implements ScheduleStore {
  readonly #db: Db
  readonly #s

  constructor(db: Db) {
    this.#db = db
    this.#s = {
      insert: db.prepare(`INSERT INTO schedules (name, cron, time_zone, jitter_ms, target, mode, domains, enabled, created_at, since)
        VALUES (@name, @cron, @timeZone, @jitterMs, @target, @mode, @domains, @enabled, @createdAt, @createdAt)`),
      live: db.prepare<[], ScheduleRow>('SELECT * FROM schedules WHERE deleted_at IS NULL ORDER BY name'),
      byId: db.prepare<[number], ScheduleRow>('SELECT * FROM schedules WHERE id = ? AND deleted_at IS NULL'),
      byName: db.prepare<[string], ScheduleRow>('SELECT * FROM schedules WHERE name = ? AND deleted_at IS NULL'),
      remove: db.prepare('UPDATE schedules SET deleted_at = ?, enabled = 0 WHERE id = ? AND deleted_at IS NULL'),
      update: db.prepare(`UPDATE schedules SET cron = @cron, time_zone = @timeZone, jitter_ms = @jitterMs, target = @target, mode = @mode,
        domains = @domains, enabled = @enabled, since = @since WHERE id = @id AND deleted_at IS NULL`),
      enable: db.prepare('UPDATE schedules SET enabled = 1, since = ? WHERE id = ? AND deleted_at IS NULL AND enabled = 0'),
      disable: db.prepare('UPDATE schedules SET enabled = 0 WHERE id = ? AND deleted_at IS NULL'),
      setLastSlot: db.prepare('UPDATE schedules SET last_slot = ? WHERE id = ?'),
      insertRun: db.prepare(`INSERT INTO schedule_runs (schedule_id, trigger, slot, missed_slots, started_at, status, owner)
        VALUES (@scheduleId, @trigger, @slot, @missedSlots, @startedAt, 'running', @owner)`),
      setTargeted: db.prepare('UPDATE schedule_runs SET targeted = ? WHERE id = ?'),
      finishRun: db.prepare(`UPDATE schedule_runs SET finished_at = @finishedAt, status = @status, targeted = @targeted,
        scanned = @scanned, scans = @scans, failures = @failures WHERE id = @id`),
      run: db.prepare<[number], RunRow>('SELECT * FROM schedule_runs WHERE id = ?'),
      runs: db.prepare<[number, number], RunRow>('SELECT * FROM schedule_runs WHERE schedule_id = ? ORDER BY id DESC LIMIT ?'),
      running: db.prepare<[], RunningRun>("SELECT id, owner FROM schedule_runs WHERE status = 'running' ORDER BY id"),
      interrupt: db.prepare<[string, number]>("UPDATE schedule_runs SET status = 'interrupted', finished_at = ? WHERE id = ? AND status = 'running'"),
    }
  }

  /** Adds a schedule; a live schedule of the same name is a BAD_INPUT error. */
  async add(spec: ScheduleSpec, now: Date): Promise<Schedule> {
    return this.#db.transaction(() => {
      if (this.#s.byName.get(spec.name)) throw new PostureError('BAD_INPUT', `a schedule named ${spec.name} already exists`)
      const result = this.#s.insert.run({
        name: spec.name,
        cron: spec.cron,
        timeZone: spec.timeZone,
        jitterMs: spec.jitterMs,
        target: JSON.stringify(spec.target),
        mode: spec.mode,
        domains: JSON.stringify(spec.domains),
        enabled: spec.enabled ? 1 : 0,
        createdAt: now.toISOString(),
      })
      return toSchedule(this.#s.byId.get(Number(result.lastInsertRowid))!)
    }).immediate()
  }

  async list(): Promise<Schedule[]> {
    return this.#s.live.all().map(toSchedule)
  }

  /** By numeric id or by name. */
  async get(ref: number | string): Promise<Schedule | null> {
    const row = typeof ref === 'number' ? this.#s.byId.get(ref) : this.#s.byName.get(ref)
    return row ? toSchedule(row) : null
  }

  /**
   * Replaces a schedule's spec (not its name), keeping its id and run history. Slots of
   * the new timing before `now` are not owed: `since` moves to now, as when re-enabling.
   */
  async update(id: number, spec: ScheduleSpec, now: Date): Promise<boolean> {
    const result = this.#s.update.run({
      id,
      cron: spec.cron,
      timeZone: spec.timeZone,
      jitterMs: spec.jitterMs,
      target: JSON.stringify(spec.target),
      mode: spec.mode,
      domains: JSON.stringify(spec.domains),
      enabled: spec.enabled ? 1 : 0,
      since: now.toISOString(),
    })
    return result.changes > 0
  }

  /** Stops the schedule and hides it; its run history stays. */
  async remove(id: number, now: Date): Promise<boolean> {
    return this.#s.remove.run(now.toISOString(), id).changes > 0
  }

  /** Re-enabling owes no slot from the time it was off. */
  async setEnabled(id: number, enabled: boolean, now: Date): Promise<boolean> {
    return (enabled ? this.#s.enable.run(now.toISOString(), id) : this.#s.disable.run(id)).changes > 0
  }

  /** Records a run as started and, for a slot, the slot as taken: in one transaction. */
  async startRun(run: { scheduleId: number; trigger: RunTrigger; slot: Date | null; missedSlots: number; startedAt: Date; owner: string }): Promise<ScheduleRun> {
    return this.#db.transaction(() => {
      const slot = run.slot?.toISOString() ?? null
      if (slot !== null) this.#s.setLastSlot.run(slot, run.scheduleId)
      const result = this.#s.insertRun.run({ scheduleId: run.scheduleId, trigger: run.trigger, slot, missedSlots: run.missedSlots, startedAt: run.startedAt.toISOString(), owner: run.owner })
      return toRun(this.#s.run.get(Number(result.lastInsertRowid))!)
    }).immediate()
  }

  async setTargeted(runId: number, targeted: number): Promise<void> {
    this.#s.setTargeted.run(targeted, runId)
  }

  async finishRun(runId: number, result: { finishedAt: Date; status: Exclude<RunStatus, 'running'>; targeted: number; scans: ScheduleRun['scans']; failures: ScheduleRun['failures'] }): Promise<ScheduleRun> {
    this.#s.finishRun.run({
      id: runId,
      finishedAt: result.finishedAt.toISOString(),
      status: result.status,
      targeted: result.targeted,
      scanned: result.scans.length,
      scans: JSON.stringify(result.scans),
      failures: JSON.stringify(result.failures),
    })
    return toRun(this.#s.run.get(runId)!)
  }

  async run(runId: number): Promise<ScheduleRun | null> {
    const row = this.#s.run.get(runId)
    return row ? toRun(row) : null
  }

  /** The latest runs first. */
  async runs(scheduleId: number, limit: number): Promise<ScheduleRun[]> {
    return this.#s.runs.all(scheduleId, limit).map(toRun)
  }

  async runningRuns(): Promise<RunningRun[]> {
    return this.#s.running.all().map((r) => ({ id: r.id, owner: r.owner }))
  }

  async interruptRuns(runIds: readonly number[], now: Date): Promise<number> {
    const at = now.toISOString()
    return this.#db.transaction(() => runIds.reduce((marked, id) => marked + this.#s.interrupt.run(at, id).changes, 0)).immediate()
  }
}

export interface ScheduleRow {
  id: number
  name: string
  cron: string
  time_zone: string
  jitter_ms: number
  target: string
  mode: 'agent' | 'ssh'
  domains: string
  enabled: number
  created_at: string
  since: string
  last_slot: string | null
}

export interface RunRow {
  id: number
  schedule_id: number
  trigger: RunTrigger
  slot: string | null
  missed_slots: number
  started_at: string
  finished_at: string | null
  status: RunStatus
  targeted: number
  scanned: number
  scans: string
  failures: string
}

const domainsColumn = z.array(domainSchema)
const scansColumn = z.array(z.object({ target: z.string(), nodeId: z.string(), scanId: z.string() }))
const failuresColumn = z.array(z.object({ target: z.string(), reason: z.string() }))

export function toSchedule(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    name: row.name,
    cron: row.cron,
    timeZone: row.time_zone,
    jitterMs: row.jitter_ms,
    target: scheduleTargetSchema.parse(JSON.parse(row.target)),
    mode: row.mode,
    domains: domainsColumn.parse(JSON.parse(row.domains)),
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    since: row.since,
    lastSlot: row.last_slot,
  }
}

export function toRun(row: RunRow): ScheduleRun {
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    trigger: row.trigger,
    slot: row.slot,
    missedSlots: row.missed_slots,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status,
    targeted: row.targeted,
    scanned: row.scanned,
    scans: scansColumn.parse(JSON.parse(row.scans)),
    failures: failuresColumn.parse(JSON.parse(row.failures)),
  }
}
