import { setTimeout as sleep } from 'node:timers/promises'
import type { ScheduleLog } from './schedule-log.js'
import { errorMessage } from '../../rules/posture-error.js'
import { jitterOffsetMs } from './next-runs.js'
import type { ScanExecutors, ScanOutcome } from './scan-executor.js'
import type { RunTrigger, Schedule, ScheduleRun } from './schedule-spec.js'
import { selectTargets } from './select-targets.js'
import type { ScheduleStore } from './schedule-store.js'

export interface RunDeps {
  schedules: ScheduleStore
  executors: ScanExecutors
  clock: () => Date
  log: ScheduleLog
  /** This collector's cluster id, recorded as the run's owner. */
  owner: string
}

export interface RunRequest {
  schedule: Schedule
  trigger: RunTrigger
  /** The slot this run is for (null: manual). */
  slot: Date | null
  missedSlots: number
  signal: AbortSignal
}

/** Records the run as started, then carries it out; `done` resolves with the finished run. */
export async function startScheduleRun(deps: RunDeps, request: RunRequest): Promise<{ run: ScheduleRun; done: Promise<ScheduleRun> }> {
  const { schedule } = request
  const run = await deps.schedules.startRun({ scheduleId: schedule.id, trigger: request.trigger, slot: request.slot, missedSlots: request.missedSlots, startedAt: deps.clock(), owner: deps.owner })
  const log = deps.log.child({ schedule: schedule.name, runId: run.id })
  log.info({ trigger: request.trigger, slot: run.slot, missedSlots: request.missedSlots }, 'schedule run started')
  const done = carryOut(deps, request, run, log).catch(async (err: unknown) => {
    // A bug, not a node's failure: the run still ends, with the reason.
    log.error({ err: errorMessage(err) }, 'schedule run failed')
    return deps.schedules.finishRun(run.id, { finishedAt: deps.clock(), status: 'failed', targeted: 0, scans: [], failures: [{ target: '*', reason: `run failed: ${errorMessage(err)}` }] })
  })
  return { run, done }
}

/**
 * Selects the targets, starts each one's scan after its jitter offset, and records what
 * became of each: scanned (node and scan id) or failed (with the reason).
 */
async function carryOut(deps: RunDeps, request: RunRequest, run: ScheduleRun, log: ScheduleLog): Promise<ScheduleRun> {
  const { schedule, signal } = request
  const executor = deps.executors[schedule.mode]
  const { selected, unknown } = selectTargets(schedule.target, await executor.candidates())
  const targeted = selected.length + unknown.length
  await deps.schedules.setTargeted(run.id, targeted)
  const failures: ScheduleRun['failures'] = unknown.map((name) => ({ target: name, reason: executor.unknownTarget }))
  const scans: ScheduleRun['scans'] = []
  const seedSlot = run.slot ?? run.startedAt
  // "Run now" means now: jitter spreads scheduled load, a person waiting gets none.
  const jitterMs = request.trigger === 'manual' ? 0 : schedule.jitterMs

  const outcomes = await Promise.all(
    selected.map(async (target): Promise<[string, ScanOutcome]> => {
      const delayMs = jitterOffsetMs(`${schedule.id}|${seedSlot}|${target.id}`, jitterMs)
      try {
        if (delayMs > 0) await sleep(delayMs, undefined, { signal })
      } catch {
        return [target.name, { ok: false, reason: 'not scanned: the collector stopped during the jitter delay' }]
      }
      if (signal.aborted) return [target.name, { ok: false, reason: 'not scanned: the collector is stopping' }]
      return [target.name, await executor.scan(target, { domains: schedule.domains, scheduleName: schedule.name, runId: run.id, signal })]
    }),
  )
  for (const [target, outcome] of outcomes) {
    if (outcome.ok) scans.push({ target, nodeId: outcome.nodeId, scanId: outcome.scanId })
    else failures.push({ target, reason: outcome.reason })
  }
  if (targeted === 0) failures.push({ target: '*', reason: `the target matched no ${schedule.mode === 'ssh' ? 'SSH node' : 'node with an agent'}` })
  const status = scans.length === 0 ? 'failed' : failures.length === 0 ? 'ok' : 'partial'
  const finished = await deps.schedules.finishRun(run.id, { finishedAt: deps.clock(), status, targeted, scans, failures })
  log.info({ status, targeted, scanned: scans.length, failed: failures.length }, 'schedule run finished')
  return finished
}
