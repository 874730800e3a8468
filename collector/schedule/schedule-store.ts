import type { RunStatus, RunTrigger, Schedule, ScheduleRun, ScheduleSpec } from './schedule-spec.js'

/**
 * Schedules and their run history, on either backend (sqlite-schedules.ts,
 * pg-schedules.ts). `startRun` moves the schedule's `lastSlot` in the same transaction that
 * records the run, so a slot is run at most once even across a crash.
 */
export interface ScheduleStore {
  /** Adds a schedule; a live schedule of the same name is a BAD_INPUT error. */
  add(spec: ScheduleSpec, now: Date): Promise<Schedule>
  list(): Promise<Schedule[]>
  /** By numeric id or by name. */
  get(ref: number | string): Promise<Schedule | null>
  /** Replaces a schedule's spec (not its name), keeping its id and history; `since` moves to `now`. */
  update(id: number, spec: ScheduleSpec, now: Date): Promise<boolean>
  /** Stops the schedule and hides it; its run history stays. */
  remove(id: number, now: Date): Promise<boolean>
  /** Re-enabling owes no slot from the time it was off. */
  setEnabled(id: number, enabled: boolean, now: Date): Promise<boolean>
  /** Records a run as started by `owner` (a cluster member id) and, for a slot, the slot as taken: in one transaction. */
  startRun(run: { scheduleId: number; trigger: RunTrigger; slot: Date | null; missedSlots: number; startedAt: Date; owner: string }): Promise<ScheduleRun>
  setTargeted(runId: number, targeted: number): Promise<void>
  finishRun(runId: number, result: { finishedAt: Date; status: Exclude<RunStatus, 'running'>; targeted: number; scans: ScheduleRun['scans']; failures: ScheduleRun['failures'] }): Promise<ScheduleRun>
  run(runId: number): Promise<ScheduleRun | null>
  /** The latest runs first. */
  runs(scheduleId: number, limit: number): Promise<ScheduleRun[]>
  /** Runs still `running`, with the collector that runs each (null: started before owners were recorded). */
  runningRuns(): Promise<RunningRun[]>
  /**
   * Marks these runs `interrupted` (never re-run) if they are still `running`; returns how
   * many it marked. Which runs are orphans is the scheduler's call (orphaned-runs.ts).
   */
  interruptRuns(runIds: readonly number[], now: Date): Promise<number>
}

export interface RunningRun {
  id: number
  owner: string | null
}
