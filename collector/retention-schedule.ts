import type { Logger } from 'pino'
import { errorMessage } from '../rules/posture-error.js'
import type { PruneResult, RetentionPolicy } from './store/sqlite-retention.js'

/**
 * History retention as a background job (collector config `retention`): prunes once soon
 * after start, then every `intervalMs`; one run at a time. 0 disables it; so does keeping
 * both kinds of history forever.
 */
export interface RetentionSchedule extends RetentionPolicy {
  intervalMs: number
}

/** How soon after start the first run happens (start-up work first). */
const firstRunDelayMs = 60_000

export function scheduleRetention(
  prune: (policy: RetentionPolicy, now: Date) => Promise<PruneResult>,
  options: RetentionSchedule,
  clock: () => Date,
  log: Logger,
  /** With several collectors on one database, only the one holding the cluster lease prunes. */
  leads: () => boolean = () => true,
): () => void {
  if (options.intervalMs === 0 || (options.findingsDays === 0 && options.dailyScoresDays === 0)) return () => {}
  let running = false
  const run = () => {
    if (running || !leads()) return
    running = true
    const started = Date.now()
    prune(options, clock())
      .then((r) => log.info({ scans: r.scans, nodeDailyScores: r.nodeDailyScores, fleetDailyScores: r.fleetDailyScores, findingsFrom: r.horizon.findingsFrom, dailyScoresFrom: r.horizon.dailyScoresFrom, ms: Date.now() - started }, 'history pruned'))
      .catch((err: unknown) => log.error({ err: errorMessage(err) }, 'history pruning failed'))
      .finally(() => {
        running = false
      })
  }
  const first = setTimeout(run, Math.min(firstRunDelayMs, options.intervalMs))
  first.unref()
  const timer = setInterval(run, options.intervalMs)
  timer.unref()
  return () => {
    clearTimeout(first)
    clearInterval(timer)
  }
}
