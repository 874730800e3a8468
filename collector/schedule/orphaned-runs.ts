import type { RunningRun } from './schedule-store.js'

/**
 * Which runs still marked `running` will never end, so they can be marked `interrupted`.
 * Pure. A run is an orphan when the collector that runs it is gone:
 * - its owner is this collector and this collector is starting (the previous process with
 *   the same id stopped: `local` alone on SQLite, or a fixed cluster id);
 * - its owner is not among the live collectors (cluster presence expired);
 * - it has no owner (started before owners were recorded, migration 8).
 * A run of this collector while it runs, or of another live collector, is never an orphan:
 * its own collector finishes it.
 */
export function orphanedRuns(running: readonly RunningRun[], who: { self: string; live: ReadonlySet<string>; starting: boolean }): number[] {
  return running.filter((run) => isOrphan(run.owner, who)).map((run) => run.id)
}

function isOrphan(owner: string | null, who: { self: string; live: ReadonlySet<string>; starting: boolean }): boolean {
  if (owner === null) return true
  if (owner === who.self) return who.starting
  return !who.live.has(owner)
}

/** Whether any run could be an orphan without asking who is alive (the cheap check first). */
export function mayHaveOrphans(running: readonly RunningRun[], who: { self: string; starting: boolean }): boolean {
  return running.some((run) => run.owner !== who.self || who.starting)
}
