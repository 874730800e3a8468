import type { ScheduleLog } from './schedule-log.js'
import { errorMessage } from '../../rules/posture-error.js'
import { decideSlot } from './next-runs.js'
import { mayHaveOrphans, orphanedRuns } from './orphaned-runs.js'
import { startScheduleRun } from './run-schedule.js'
import type { ScanExecutors } from './scan-executor.js'
import type { Schedule, ScheduleRun } from './schedule-spec.js'
import type { ScheduleStore } from './schedule-store.js'

export interface SchedulerDeps {
  schedules: ScheduleStore
  executors: ScanExecutors
  clock: () => Date
  log: ScheduleLog
  /** Schedules are re-read at least this often (the CLI changes them beside a running collector). */
  pollMs: number
  /** Told of each run as it ends (live views, tests). */
  onRunFinished?: (run: ScheduleRun) => void
  /**
   * Several collectors on one database (collector/cluster/): true for exactly one of them
   * per (schedule, slot), the one that runs it. Default: always this one.
   */
  claimSlot?: (scheduleId: number, slot: Date) => Promise<boolean>
  /** This collector's id in the cluster (`Cluster.collectorId`), recorded as the owner of each run it starts. Default `local`. */
  owner?: string
  /** The collectors alive now, this one included (`Cluster.liveMembers`). Default: this one alone. */
  liveMembers?: () => Promise<string[]>
  /**
   * How often runs whose collector died are looked for (with several collectors: one may
   * die while the others run on). 0: only at start. Default 0.
   */
  orphanSweepMs?: number
}

/**
 * Runs schedules at their slots. Each wake-up reads the schedules, asks the pure
 * arithmetic (next-runs.ts) which are due at `clock()`, starts those runs, and sleeps until
 * the earliest next slot (or `pollMs`). A schedule whose slots passed while the collector
 * was down is due once on start, for its latest slot: never once per missed slot. A
 * schedule still running its previous run is not started again; its slot stays owed and
 * runs when the previous run ends.
 */
export class Scheduler {
  readonly #deps: SchedulerDeps
  readonly #running = new Map<number, Promise<ScheduleRun>>()
  readonly #abort = new AbortController()
  #timer: NodeJS.Timeout | null = null
  #sweepTimer: NodeJS.Timeout | null = null
  #ticking: Promise<void> | null = null
  #sweeping: Promise<unknown> | null = null
  #stopped = true

  constructor(deps: SchedulerDeps) {
    if (!Number.isInteger(deps.pollMs) || deps.pollMs < 10) throw new RangeError(`Scheduler: pollMs must be an integer of at least 10, got ${deps.pollMs}`)
    const sweepMs = deps.orphanSweepMs ?? 0
    if (!Number.isInteger(sweepMs) || (sweepMs !== 0 && sweepMs < 10)) throw new RangeError(`Scheduler: orphanSweepMs must be 0 or an integer of at least 10, got ${sweepMs}`)
    this.#deps = deps
  }

  /**
   * Marks the runs that will never end as interrupted (this collector's own from before it
   * restarted, and those of collectors no longer alive; never a live collector's), then runs
   * what is due, and from then on looks for runs of collectors that die every `orphanSweepMs`.
   */
  async start(): Promise<void> {
    this.#stopped = false
    await this.#interruptOrphans(true)
    const sweepMs = this.#deps.orphanSweepMs ?? 0
    if (sweepMs > 0) {
      this.#sweepTimer = setInterval(() => void this.sweepOrphans(), sweepMs)
      this.#sweepTimer.unref()
    }
    await this.wake()
  }

  /** Marks runs of collectors that are gone as interrupted now; resolves with how many. */
  sweepOrphans(): Promise<number> {
    if (this.#stopped) return Promise.resolve(0)
    const sweep = (this.#sweeping as Promise<number> | null) ?? this.#interruptOrphans(false).finally(() => (this.#sweeping = null))
    this.#sweeping = sweep
    return sweep
  }

  /** Errors are logged, never thrown: the next sweep tries again. */
  async #interruptOrphans(starting: boolean): Promise<number> {
    const { schedules, clock, log } = this.#deps
    const self = this.#owner()
    try {
      const running = await schedules.runningRuns()
      if (!mayHaveOrphans(running, { self, starting })) return 0
      const live = new Set(this.#deps.liveMembers ? await this.#deps.liveMembers() : [self])
      const orphans = orphanedRuns(running, { self, live, starting })
      const interrupted = orphans.length > 0 ? await schedules.interruptRuns(orphans, clock()) : 0
      if (interrupted > 0) log.warn({ interrupted, runIds: orphans }, starting ? 'schedule runs left unfinished by a collector that stopped marked interrupted' : 'schedule runs of a collector that is gone marked interrupted')
      return interrupted
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'looking for schedule runs left unfinished failed')
      return 0
    }
  }

  #owner(): string {
    return this.#deps.owner ?? 'local'
  }

  /** Re-reads the schedules now (after a change through the API) and runs what is due. */
  wake(): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = null
    })
    return this.#ticking
  }

  /** Runs a schedule now, outside its slots (no jitter); resolves when the run is recorded as started. */
  async runNow(schedule: Schedule): Promise<{ run: ScheduleRun; done: Promise<ScheduleRun> }> {
    if (this.#stopped) throw new Error('the scheduler is not running')
    const started = await startScheduleRun(this.#runDeps(), { schedule, trigger: 'manual', slot: null, missedSlots: 0, signal: this.#abort.signal })
    this.#track(schedule.id, started.done)
    return started
  }

  /** Runs in progress, by schedule id. */
  running(): number[] {
    return [...this.#running.keys()]
  }

  /** Stops waking, aborts jitter delays, waits for scans in flight to end. */
  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    if (this.#sweepTimer) clearInterval(this.#sweepTimer)
    this.#sweepTimer = null
    this.#abort.abort()
    await this.#ticking
    await this.#sweeping
    await Promise.allSettled([...this.#running.values()])
  }

  async #tick(): Promise<void> {
    const { clock, log, pollMs } = this.#deps
    let wakeAt = clock().getTime() + pollMs
    try {
      const now = clock()
      for (const schedule of await this.#deps.schedules.list()) {
        if (!schedule.enabled) continue
        try {
          const decision = decideSlot(schedule, { lastSlot: schedule.lastSlot ? new Date(schedule.lastSlot) : null, since: new Date(schedule.since) }, now)
          wakeAt = Math.min(wakeAt, decision.next.getTime())
          if (!decision.due || this.#running.has(schedule.id)) continue
          // Another collector on the same database took this slot: it runs it, and records it as taken.
          if (this.#deps.claimSlot && !(await this.#deps.claimSlot(schedule.id, decision.slot))) continue
          // On time: within one poll of the slot and nothing skipped; otherwise a catch-up.
          const late = now.getTime() - decision.slot.getTime() > pollMs + 1000
          const trigger = decision.missed > 0 || late ? 'catch-up' : 'slot'
          if (trigger === 'catch-up') log.info({ schedule: schedule.name, slot: decision.slot.toISOString(), missed: decision.missed, capped: decision.missedCapped }, 'running a missed schedule once')
          const started = await startScheduleRun(this.#runDeps(), { schedule, trigger, slot: decision.slot, missedSlots: decision.missed, signal: this.#abort.signal })
          this.#track(schedule.id, started.done)
        } catch (err) {
          log.error({ schedule: schedule.name, err: errorMessage(err) }, 'schedule could not be started')
        }
      }
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'reading schedules failed')
    }
    this.#arm(wakeAt)
  }

  #arm(wakeAt: number): void {
    if (this.#stopped) return
    if (this.#timer) clearTimeout(this.#timer)
    // At least 1 ms: a timer may fire a hair before the slot by our clock; never spin.
    const delayMs = Math.max(1, Math.min(wakeAt - this.#deps.clock().getTime(), this.#deps.pollMs))
    this.#timer = setTimeout(() => void this.wake(), delayMs)
    this.#timer.unref()
  }

  #track(scheduleId: number, done: Promise<ScheduleRun>): void {
    const tracked = done.finally(() => {
      if (this.#running.get(scheduleId) === tracked) this.#running.delete(scheduleId)
      // A slot that came while this run was busy is owed now.
      void this.wake()
    })
    void done.then((run) => this.#deps.onRunFinished?.(run))
    this.#running.set(scheduleId, tracked)
  }

  #runDeps() {
    const { schedules, executors, clock, log } = this.#deps
    return { schedules, executors, clock, log, owner: this.#owner() }
  }
}
