import { createHash } from 'node:crypto'
import { CronTime } from 'cron'
import { PostureError, errorMessage } from '../../rules/posture-error.js'

/**
 * Schedule arithmetic, pure: every function takes `now` (or `after`) and returns dates;
 * nothing reads the clock. Parsing and next-date search are the `cron` package's CronTime
 * (with luxon time zones): a time that does not exist on a spring-forward day runs at the
 * first instant after the gap (02:30 → 03:00), a wall time that happens twice on a
 * fall-back day runs once, at its first occurrence, while hourly and finer expressions
 * keep running every real hour.
 *
 * CronTime bounds its search at 8 years after the *real* current date, so `after` must
 * lie within a few years of today (true of any collector; tests use dates near 2026).
 */
export interface ScheduleTiming {
  /** Five fields (minute hour day-of-month month day-of-week) or a preset such as `@daily`. */
  cron: string
  /** IANA time zone the expression is read in, e.g. `Europe/Berlin`; `UTC` by default. */
  timeZone: string
  /** Each target's scan starts up to this long after the slot (spreads load over the fleet). */
  jitterMs: number
}

/** Presets the `cron` package knows, minus `@secondly`: scans are not a per-second job. */
const presets = new Set(['@yearly', '@monthly', '@weekly', '@daily', '@hourly', '@minutely', '@weekdays', '@weekends'])

/** The longest jitter accepted: six hours (a daily schedule spread over a quarter day). */
export const maxJitterMs = 6 * 3_600_000

/**
 * Parses and checks a timing; throws PostureError BAD_INPUT naming what is wrong. Five
 * fields only: a seconds field would let a schedule fire every second.
 */
export function compileTiming(timing: ScheduleTiming): CronTime {
  const expression = timing.cron.trim()
  const fields = expression.split(/\s+/)
  if (expression.startsWith('@') ? !presets.has(expression.toLowerCase()) : fields.length !== 5) {
    throw new PostureError(
      'BAD_INPUT',
      `cron "${timing.cron}": use five fields (minute hour day-of-month month day-of-week, e.g. "30 2 * * *") or one of ${[...presets].join(', ')}`,
    )
  }
  if (!Number.isInteger(timing.jitterMs) || timing.jitterMs < 0 || timing.jitterMs > maxJitterMs) {
    throw new PostureError('BAD_INPUT', `jitter must be between 0 and ${maxJitterMs} ms (6 h), got ${timing.jitterMs}`)
  }
  try {
    return new CronTime(expression.startsWith('@') ? expression.toLowerCase() : `0 ${expression}`, timing.timeZone)
  } catch (err) {
    const reason = errorMessage(err)
    if (/timezone/i.test(reason)) throw new PostureError('BAD_INPUT', `time zone "${timing.timeZone}" is not an IANA time zone (e.g. UTC, Europe/Berlin)`)
    throw new PostureError('BAD_INPUT', `cron "${timing.cron}": ${reason}`)
  }
}

/** The next `count` slots strictly after `after`. */
export function nextRuns(timing: ScheduleTiming, after: Date, count: number): Date[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`nextRuns: count must be a non-negative integer, got ${count}`)
  const cron = compileTiming(timing)
  const slots: Date[] = []
  let cursor = after
  for (let i = 0; i < count; i++) {
    cursor = nextSlot(cron, timing.timeZone, cursor)
    slots.push(cursor)
  }
  return slots
}

export interface SlotState {
  /** The slot the last run was for; null before the first run. */
  lastSlot: Date | null
  /** When the schedule was created (or last enabled): slots before it are never owed. */
  since: Date
}

export type SlotDecision =
  | { due: false; next: Date }
  /** Run once now, for `slot` (the latest slot at or before `now`); `missed` slots before it are skipped. */
  | { due: true; slot: Date; missed: number; missedCapped: boolean; next: Date }

/** At most this many missed slots are counted (a minutely schedule after a week away). */
export const missedCountCap = 1000

/**
 * Whether a run is owed at `now`: the slots after the last run (or creation) up to `now`.
 * However many there are (the collector was down, or busy), the answer is one run, for the
 * latest of them: catch-up never replays every missed slot.
 */
export function decideSlot(timing: ScheduleTiming, state: SlotState, now: Date): SlotDecision {
  const cron = compileTiming(timing)
  const baseline = state.lastSlot ?? state.since
  const next = nextSlot(cron, timing.timeZone, now.getTime() >= baseline.getTime() ? now : baseline)
  const latest = latestSlot(cron, timing.timeZone, baseline, now)
  if (latest === null) return { due: false, next }
  let missed = 0
  let cursor = nextSlot(cron, timing.timeZone, baseline)
  while (cursor.getTime() < latest.getTime() && missed < missedCountCap) {
    missed++
    cursor = nextSlot(cron, timing.timeZone, cursor)
  }
  return { due: true, slot: latest, missed, missedCapped: missed >= missedCountCap && cursor.getTime() < latest.getTime(), next }
}

/**
 * A target's delay after the slot, in [0, jitterMs): derived from `seed` (schedule, slot
 * and node) by SHA-256, so it is spread evenly, differs per node and per slot, and is the
 * same when a decision is recomputed.
 */
export function jitterOffsetMs(seed: string, jitterMs: number): number {
  if (!Number.isInteger(jitterMs) || jitterMs < 0) throw new RangeError(`jitterOffsetMs: jitterMs must be a non-negative integer, got ${jitterMs}`)
  if (jitterMs === 0) return 0
  const unit = createHash('sha256').update(seed).digest().readUIntBE(0, 6) / 2 ** 48
  return Math.floor(unit * jitterMs)
}

function nextSlot(cron: CronTime, timeZone: string, after: Date): Date {
  return cron.getNextDateFrom(after, timeZone).toJSDate()
}

/**
 * The latest slot in (baseline, now], or null. CronTime only searches
 * forward, so look back from `now` over a doubling window until it holds a slot, then walk
 * forward to the last one at or before `now`.
 */
function latestSlot(cron: CronTime, timeZone: string, baseline: Date, now: Date): Date | null {
  if (now.getTime() <= baseline.getTime()) return null
  for (let windowMs = 60_000; ; windowMs *= 2) {
    const from = new Date(Math.max(baseline.getTime(), now.getTime() - windowMs))
    let slot = nextSlot(cron, timeZone, from)
    if (slot.getTime() <= now.getTime()) {
      for (let next = nextSlot(cron, timeZone, slot); next.getTime() <= now.getTime(); next = nextSlot(cron, timeZone, next)) slot = next
      return slot
    }
    if (from.getTime() === baseline.getTime()) return null
  }
}
