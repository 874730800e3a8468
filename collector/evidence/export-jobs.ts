import { randomUUID } from 'node:crypto'
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { errorMessage } from '../../rules/posture-error.js'
import type { ExportProgress } from './export-evidence.js'
import { exportJobsConfigSchema, type ExportJobsConfig } from './export-jobs-config.js'

/**
 * Evidence exports as background jobs (issue 11): a year of 1,000 nodes takes minutes,
 * far longer than an HTTP request should. A job is queued, runs when a slot is free
 * (`maxRunning` at a time), reports its progress, and leaves its archive in
 * `<dataDir>/exports/` for download. Jobs live in memory only: they survive only while
 * the collector runs, and a restart deletes the archives of the jobs it forgot. Finished
 * archives are kept for `keepMs` and at most `keepArchives` of them (oldest go first).
 * Each owner (a user or token) has at most one export queued or running.
 */
export type ExportJobState = 'queued' | 'running' | 'done' | 'failed' | 'expired'

export interface ExportJobRequest {
  framework: string
  from: string
  to: string
  labels: Record<string, string>
  /** Who asked (`user:alice`, `token:<token id>`): the only one, besides admins, who may see and download it. */
  owner: string
}

export interface ExportJobView extends ExportJobRequest {
  id: string
  state: ExportJobState
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  progress: { percent: number; filesWritten: number; scansWritten: number; scansTotal: number | null }
  /** Set when done: the archive's size, the manifest's SHA-256, where to fetch it, until when. */
  archive: { bytes: number; manifestSha256: string; downloadUrl: string; fileName: string; expiresAt: string } | null
  error: string | null
}

/** What running one export needs: where to write, how to report, when to stop. */
export interface ExportJobHooks {
  out: string
  onProgress(progress: ExportProgress): void
  signal: AbortSignal
}

export type ExportRunner = (job: ExportJobView, hooks: ExportJobHooks) => Promise<{ manifestSha256: string }>

/** Who looks at jobs: their owner name, and whether they may see everyone's (admins). */
export interface ExportJobViewer {
  owner: string
  admin: boolean
}

export interface ExportJobsOptions extends Partial<ExportJobsConfig> {
  dataDir: string
  clock: () => Date
  /** Called when a job finishes, fails or is refused a slot later (for logs and the audit log). */
  onFinished?: (job: ExportJobView) => void
}

export class ExportJobError extends Error {
  readonly code: 'CONFLICT' | 'RATE_LIMITED'
  constructor(code: 'CONFLICT' | 'RATE_LIMITED', message: string) {
    super(message)
    this.code = code
  }
}

// Every finished job is remembered (for its owner's list) up to this many; archives are bounded apart.
const maxRemembered = 200

/** The `exports` config section's defaults (export-jobs-config.ts). */
export const exportJobDefaults: Readonly<ExportJobsConfig> = Object.freeze(exportJobsConfigSchema.parse({}))

interface Job {
  view: ExportJobView
  run: ExportRunner
  abort: AbortController
  done: Promise<void> | null
}

export class ExportJobs {
  readonly #dir: string
  readonly #clock: () => Date
  readonly #limits: ExportJobsConfig
  readonly #onFinished: (job: ExportJobView) => void
  readonly #jobs = new Map<string, Job>()
  #closed = false

  constructor(options: ExportJobsOptions) {
    this.#dir = join(options.dataDir, 'exports')
    this.#clock = options.clock
    this.#limits = {
      maxRunning: options.maxRunning ?? exportJobDefaults.maxRunning,
      maxQueued: options.maxQueued ?? exportJobDefaults.maxQueued,
      keepMs: options.keepMs ?? exportJobDefaults.keepMs,
      keepArchives: options.keepArchives ?? exportJobDefaults.keepArchives,
    }
    if (!(this.#limits.maxRunning >= 1)) throw new RangeError('maxRunning must be at least 1')
    // A new job always waits in the queue first, so a queue of none would refuse every export.
    if (!(this.#limits.maxQueued >= 1)) throw new RangeError('maxQueued must be at least 1')
    this.#onFinished = options.onFinished ?? (() => undefined)
    // Jobs do not survive a restart: archives left by a previous run have no job to fetch them by.
    rmSync(this.#dir, { recursive: true, force: true })
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 })
  }

  /** Queues an export; throws ExportJobError when the owner already has one or the queue is full. */
  start(request: ExportJobRequest, run: ExportRunner): ExportJobView {
    if (this.#closed) throw new ExportJobError('RATE_LIMITED', 'the collector is shutting down')
    this.prune()
    const active = [...this.#jobs.values()].filter((j) => j.view.state === 'queued' || j.view.state === 'running')
    const own = active.find((j) => j.view.owner === request.owner)
    if (own) throw new ExportJobError('CONFLICT', `an export of yours is already ${own.view.state} (job ${own.view.id}); one at a time`)
    if (active.filter((j) => j.view.state === 'queued').length >= this.#limits.maxQueued) {
      throw new ExportJobError('RATE_LIMITED', `${this.#limits.maxQueued} exports are waiting already; try again when one has finished`)
    }
    const view: ExportJobView = {
      ...request,
      labels: { ...request.labels },
      id: randomUUID(),
      state: 'queued',
      createdAt: this.#clock().toISOString(),
      startedAt: null,
      finishedAt: null,
      progress: { percent: 0, filesWritten: 0, scansWritten: 0, scansTotal: null },
      archive: null,
      error: null,
    }
    this.#jobs.set(view.id, { view, run, abort: new AbortController(), done: null })
    this.#schedule()
    return snapshot(view)
  }

  /** A job as its owner (or an admin) sees it; undefined for anyone else (no hint that it exists). */
  get(id: string, viewer: string | ExportJobViewer): ExportJobView | undefined {
    this.prune()
    const job = this.#jobs.get(id)
    return job && mayView(viewer, job.view.owner) ? snapshot(job.view) : undefined
  }

  /** The owner's jobs, newest first; with `everyone`, an admin's list holds every owner's. */
  list(viewer: string | ExportJobViewer, options: { everyone?: boolean } = {}): ExportJobView[] {
    this.prune()
    const all = options.everyone === true && typeof viewer !== 'string' && viewer.admin
    const owner = typeof viewer === 'string' ? viewer : viewer.owner
    return [...this.#jobs.values()].filter((j) => all || j.view.owner === owner).map((j) => snapshot(j.view)).reverse()
  }

  /** The archive of a finished job, for its owner (or an admin). */
  archivePath(id: string, viewer: string | ExportJobViewer): string | undefined {
    const job = this.get(id, viewer)
    return job?.state === 'done' ? this.#archiveFile(id) : undefined
  }

  /** Drops archives past their time or over the count, and forgets the oldest finished jobs. */
  prune(): void {
    const now = this.#clock().getTime()
    const finished = [...this.#jobs.values()].filter((j) => j.view.state === 'done').sort((a, b) => Date.parse(b.view.finishedAt!) - Date.parse(a.view.finishedAt!))
    finished.forEach((job, index) => {
      if (index >= this.#limits.keepArchives || Date.parse(job.view.archive!.expiresAt) <= now) {
        rmSync(this.#archiveFile(job.view.id), { force: true })
        job.view.state = 'expired'
        job.view.archive = null
      }
    })
    const over = this.#jobs.size - maxRemembered
    if (over > 0) {
      const old = [...this.#jobs.values()].filter((j) => j.view.state === 'failed' || j.view.state === 'expired').slice(0, over)
      for (const job of old) this.#jobs.delete(job.view.id)
    }
  }

  /** Stops running exports (their partial archives are removed) and waits for them. */
  async close(): Promise<void> {
    this.#closed = true
    for (const job of this.#jobs.values()) job.abort.abort(new Error('the collector is shutting down'))
    await Promise.all([...this.#jobs.values()].map((j) => j.done))
  }

  /** Files in the exports directory (tests check that pruning really deletes). */
  files(): { name: string; bytes: number }[] {
    return readdirSync(this.#dir).map((name) => ({ name, bytes: statSync(join(this.#dir, name)).size }))
  }

  #archiveFile(id: string): string {
    return join(this.#dir, `${id}.zip`)
  }

  #schedule(): void {
    const jobs = [...this.#jobs.values()]
    let free = this.#limits.maxRunning - jobs.filter((j) => j.view.state === 'running').length
    for (const job of jobs) {
      if (free <= 0 || this.#closed) return
      if (job.view.state !== 'queued') continue
      free--
      job.done = this.#run(job).finally(() => this.#schedule())
    }
  }

  async #run(job: Job): Promise<void> {
    const { view } = job
    view.state = 'running'
    view.startedAt = this.#clock().toISOString()
    const out = this.#archiveFile(view.id)
    try {
      const { manifestSha256 } = await job.run(snapshot(view), {
        out,
        signal: job.abort.signal,
        onProgress: (p) => {
          view.progress = { percent: exportPercent(p), filesWritten: p.filesWritten, scansWritten: p.scansWritten, scansTotal: p.scansTotal }
        },
      })
      const finishedAt = this.#clock()
      view.state = 'done'
      view.finishedAt = finishedAt.toISOString()
      view.progress = { ...view.progress, percent: 100 }
      view.archive = {
        bytes: statSync(out).size,
        manifestSha256,
        downloadUrl: `/api/exports/${view.id}/archive`,
        fileName: `posture-${view.framework}-${view.from.slice(0, 10)}-${view.to.slice(0, 10)}.zip`,
        expiresAt: new Date(finishedAt.getTime() + this.#limits.keepMs).toISOString(),
      }
    } catch (err) {
      rmSync(out, { force: true })
      view.state = 'failed'
      view.finishedAt = this.#clock().toISOString()
      view.error = errorMessage(err)
    }
    this.prune()
    this.#onFinished(snapshot(view))
  }
}

/**
 * Percent done: findings.jsonl (every scan of the window, the bulk of the work) counts
 * for 85%, the 12 or so files after it for the rest; 100 only once signed and renamed.
 */
export function exportPercent(p: ExportProgress): number {
  if (p.phase === 'findings') return p.scansTotal ? Math.min(85, Math.floor((85 * p.scansWritten) / p.scansTotal)) : 0
  return Math.min(99, 85 + Math.floor((14 * Math.max(0, p.filesWritten - 1)) / 12))
}

function mayView(viewer: string | ExportJobViewer, owner: string): boolean {
  return typeof viewer === 'string' ? viewer === owner : viewer.admin || viewer.owner === owner
}

function snapshot(view: ExportJobView): ExportJobView {
  return structuredClone(view)
}
