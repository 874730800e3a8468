import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { errorMessage, PostureError } from '../rules/posture-error.js'
import type { Store } from './store/store.js'

/**
 * Online backups on a schedule (SQLite's backup API through the store: the collector keeps
 * serving while it copies), named by time, the oldest beyond `keep` deleted. A backup is
 * written under `<name>.partial` and renamed when complete, so a file named like a backup
 * is always a whole one: a backup cut short (the collector closing, killed, a failed copy)
 * leaves no file that looks complete.
 */
export function backupFileName(now: Date): string {
  return `posture-${now.toISOString().replace(/[:.]/g, '-')}.db`
}

const partialSuffix = '.partial'

/** Which backups to delete so that `keep` remain: the oldest (names sort by time). Pure. */
export function backupsToPrune(names: readonly string[], keep: number): string[] {
  const backups = names.filter((n) => /^posture-\d{4}-.*\.db$/.test(n)).sort()
  return backups.slice(0, Math.max(0, backups.length - keep))
}

/** Partial backups no backup is writing now (left by a collector killed mid-copy). Pure. */
export function abandonedPartials(names: readonly string[], writing: ReadonlySet<string>): string[] {
  return names.filter((n) => /^posture-\d{4}-.*\.db\.partial$/.test(n) && !writing.has(n))
}

/**
 * Writes one backup: to `<name>.partial`, renamed when the copy is complete; on failure or
 * abort (`signal`) the partial file is removed and the error rethrown.
 */
export async function backupNow(store: Store, dir: string, keep: number, now: Date, signal?: AbortSignal): Promise<string> {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const path = join(dir, backupFileName(now))
  const partial = `${path}${partialSuffix}`
  try {
    await store.backup(partial, signal ? { signal } : {})
    renameSync(partial, path)
  } catch (err) {
    rmSync(partial, { force: true })
    throw err
  }
  for (const old of backupsToPrune(readdirSync(dir), keep)) rmSync(join(dir, old), { force: true })
  return path
}

export interface BackupsOptions {
  store: Store
  dir: string
  keep: number
  clock: () => Date
  log: Logger
}

/**
 * The collector's backups, scheduled and on demand, so that closing the collector ends
 * them cleanly: `close()` stops the schedule, aborts the copies in flight (the SQLite backup
 * steps between event-loop turns; the next step throws) and resolves once their partial
 * files are removed, before the store closes under them. A backup is redone at the next
 * interval after a restart; waiting out a multi-gigabyte copy would stall a shutdown.
 */
export class Backups {
  readonly #o: BackupsOptions
  readonly #inFlight = new Map<Promise<unknown>, AbortController>()
  #timer: NodeJS.Timeout | null = null
  #closed = false

  constructor(options: BackupsOptions) {
    this.#o = options
  }

  /** One backup now; its path. Refused once closing. */
  now(): Promise<string> {
    if (this.#closed) return Promise.reject(new PostureError('CANNOT_WRITE', 'no backup: the collector is closing'))
    const { store, dir, keep, clock } = this.#o
    const abort = new AbortController()
    this.#removeAbandoned(dir)
    const done = backupNow(store, dir, keep, clock(), abort.signal)
    const tracked = done.finally(() => this.#inFlight.delete(tracked))
    this.#inFlight.set(tracked, abort)
    return tracked
  }

  /** Backups in flight now. */
  running(): number {
    return this.#inFlight.size
  }

  /**
   * A backup every `intervalMs` (0: none). `leads`: with several collectors on one
   * database, only the one holding the cluster lease backs up.
   */
  schedule(intervalMs: number, leads: () => boolean = () => true): void {
    if (intervalMs === 0 || this.#closed) return
    if (this.#timer) clearInterval(this.#timer)
    const { log } = this.#o
    this.#timer = setInterval(() => {
      if (this.#inFlight.size > 0 || !leads()) return
      this.now()
        .then((path) => log.info({ path }, 'database backup written'))
        .catch((err: unknown) => {
          if (this.#closed) log.info({ err: errorMessage(err) }, 'database backup aborted: the collector is closing')
          else log.error({ err: errorMessage(err) }, 'database backup failed')
        })
    }, intervalMs)
    this.#timer.unref()
  }

  /** Stops the schedule, aborts backups in flight and waits until their partial files are gone. */
  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    for (const abort of this.#inFlight.values()) abort.abort(new PostureError('CANNOT_WRITE', 'backup aborted: the collector is closing'))
    await Promise.allSettled([...this.#inFlight.keys()])
  }

  #removeAbandoned(dir: string): void {
    if (this.#inFlight.size > 0) return
    try {
      for (const name of abandonedPartials(readdirSync(dir), new Set())) rmSync(join(dir, name), { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#o.log.warn({ err: errorMessage(err), dir }, 'could not remove partial backups left by a stopped collector')
    }
  }
}

/**
 * A backup every `intervalMs` (0: none); the stop function aborts a backup in flight and
 * resolves once its partial file is removed.
 */
export function scheduleBackups(store: Store, dir: string, options: { intervalMs: number; keep: number }, clock: () => Date, log: Logger, leads: () => boolean = () => true): () => Promise<void> {
  const backups = new Backups({ store, dir, keep: options.keep, clock, log })
  backups.schedule(options.intervalMs, leads)
  return () => backups.close()
}
