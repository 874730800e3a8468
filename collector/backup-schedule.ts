import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { errorMessage } from '../rules/posture-error.js'
import type { Store } from './store/store.js'

/**
 * Online backups on a schedule (SQLite's backup API through the store: the collector keeps
 * serving while it copies), named by time, the oldest beyond `keep` deleted.
 */
export function backupFileName(now: Date): string {
  return `posture-${now.toISOString().replace(/[:.]/g, '-')}.db`
}

/** Which backups to delete so that `keep` remain: the oldest (names sort by time). Pure. */
export function backupsToPrune(names: readonly string[], keep: number): string[] {
  const backups = names.filter((n) => /^posture-\d{4}-.*\.db$/.test(n)).sort()
  return backups.slice(0, Math.max(0, backups.length - keep))
}

export async function backupNow(store: Store, dir: string, keep: number, now: Date): Promise<string> {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const path = join(dir, backupFileName(now))
  await store.backup(path)
  for (const old of backupsToPrune(readdirSync(dir), keep)) rmSync(join(dir, old), { force: true })
  return path
}

/** `leads`: with several collectors on one database, only the one holding the cluster lease backs up. */
export function scheduleBackups(store: Store, dir: string, options: { intervalMs: number; keep: number }, clock: () => Date, log: Logger, leads: () => boolean = () => true): () => void {
  if (options.intervalMs === 0) return () => {}
  let running = false
  const timer = setInterval(() => {
    if (running || !leads()) return
    running = true
    backupNow(store, dir, options.keep, clock())
      .then((path) => log.info({ path }, 'database backup written'))
      .catch((err: unknown) => log.error({ err: errorMessage(err) }, 'database backup failed'))
      .finally(() => {
        running = false
      })
  }, options.intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
