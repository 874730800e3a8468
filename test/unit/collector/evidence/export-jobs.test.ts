import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExportJobs, exportPercent, type ExportJobHooks, type ExportJobView, type ExportRunner } from '../../../../collector/evidence/export-jobs.js'

/**
 * Export jobs with a stand-in runner that the test finishes by hand: one export at a time
 * per owner, a bounded queue, progress, failures, archives kept for a time and a count,
 * jobs forgotten (and their archives deleted) on restart, running exports stopped on close.
 */
let dataDir: string
let now: number
const clock = () => new Date(now)

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'posture-export-jobs-'))
  now = Date.parse('2026-11-23T10:00:00Z')
})
afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

/** A runner whose exports finish (write `bytes` into the archive) or fail when the test says. */
function controlled() {
  const pending = new Map<string, { hooks: ExportJobHooks; finish(bytes?: string): void; fail(message: string): void }>()
  const started: string[] = []
  const run: ExportRunner = (job, hooks) =>
    new Promise((resolve, reject) => {
      started.push(job.id)
      hooks.signal.addEventListener('abort', () => reject(hooks.signal.reason))
      pending.set(job.id, {
        hooks,
        finish(bytes = 'PK zip bytes') {
          writeFileSync(hooks.out, bytes)
          resolve({ manifestSha256: 'ab'.repeat(32) })
        },
        fail(message) {
          writeFileSync(hooks.out, 'half an archive')
          reject(new Error(message))
        },
      })
    })
  return { run, pending, started }
}

const request = (owner: string) => ({ framework: 'soc2', from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', labels: {}, owner })
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('ExportJobs', () => {
  it('runs one export per owner, queues others behind the running limit, and reports progress', async () => {
    const finished: ExportJobView[] = []
    const jobs = new ExportJobs({ dataDir, clock, maxRunning: 1, onFinished: (j) => finished.push(j) })
    const runner = controlled()
    const a = jobs.start(request('user:audrey'), runner.run)
    expect(() => jobs.start(request('user:audrey'), runner.run)).toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringContaining(a.id) }))
    const b = jobs.start(request('user:bob'), runner.run)
    expect(runner.started).toEqual([a.id])
    expect(jobs.get(b.id, 'user:bob')?.state).toBe('queued')
    // Nobody else sees a job, not even that it exists.
    expect(jobs.get(a.id, 'user:bob')).toBeUndefined()

    runner.pending.get(a.id)!.hooks.onProgress({ phase: 'findings', scansWritten: 50, scansTotal: 100, filesWritten: 0 })
    expect(jobs.get(a.id, 'user:audrey')).toMatchObject({ state: 'running', progress: { percent: 42, scansWritten: 50, scansTotal: 100, filesWritten: 0 } })

    now += 5_000
    runner.pending.get(a.id)!.finish('0123456789')
    await settle()
    const done = jobs.get(a.id, 'user:audrey')!
    expect(done).toMatchObject({
      state: 'done',
      finishedAt: '2026-11-23T10:00:05.000Z',
      progress: { percent: 100 },
      archive: { bytes: 10, manifestSha256: 'ab'.repeat(32), downloadUrl: `/api/exports/${a.id}/archive`, fileName: 'posture-soc2-2026-01-01-2026-04-01.zip', expiresAt: '2026-11-24T10:00:05.000Z' },
      error: null,
    })
    expect(jobs.archivePath(a.id, 'user:audrey')).toBe(join(dataDir, 'exports', `${a.id}.zip`))
    expect(jobs.archivePath(a.id, 'user:bob')).toBeUndefined()
    expect(finished.map((j) => [j.id, j.state])).toEqual([[a.id, 'done']])
    // The queued job got the free slot; audrey may start another now.
    expect(runner.started).toEqual([a.id, b.id])
    const again = jobs.start(request('user:audrey'), runner.run)
    expect(jobs.list('user:audrey').map((j) => j.id)).toEqual([again.id, a.id])
  })

  it('refuses new exports when the queue is full', () => {
    const jobs = new ExportJobs({ dataDir, clock, maxRunning: 1, maxQueued: 2 })
    const runner = controlled()
    for (const owner of ['a', 'b', 'c']) jobs.start(request(owner), runner.run)
    expect(() => jobs.start(request('d'), runner.run)).toThrow(expect.objectContaining({ code: 'RATE_LIMITED', message: '2 exports are waiting already; try again when one has finished' }))
  })

  it('records a failed export with its reason and removes the partial archive', async () => {
    const finished: ExportJobView[] = []
    const jobs = new ExportJobs({ dataDir, clock, onFinished: (j) => finished.push(j) })
    const runner = controlled()
    const job = jobs.start(request('user:audrey'), runner.run)
    runner.pending.get(job.id)!.fail('disk full')
    await settle()
    expect(jobs.get(job.id, 'user:audrey')).toMatchObject({ state: 'failed', error: 'disk full', archive: null })
    expect(jobs.archivePath(job.id, 'user:audrey')).toBeUndefined()
    expect(jobs.files()).toEqual([])
    expect(finished.map((j) => j.state)).toEqual(['failed'])
  })

  it('keeps finished archives for a bounded time and count, deleting the files', async () => {
    const jobs = new ExportJobs({ dataDir, clock, keepArchives: 2, keepMs: 60_000 })
    const runner = controlled()
    const ids: string[] = []
    for (const owner of ['a', 'b', 'c']) {
      const job = jobs.start(request(owner), runner.run)
      ids.push(job.id)
      now += 1_000
      runner.pending.get(job.id)!.finish()
      await settle()
    }
    // Three done, room for two: the oldest archive is gone.
    expect(jobs.get(ids[0]!, 'a')).toMatchObject({ state: 'expired', archive: null })
    expect(jobs.files().map((f) => f.name).sort()).toEqual([`${ids[1]}.zip`, `${ids[2]}.zip`].sort())
    now += 60_000
    expect(jobs.list('c')[0]).toMatchObject({ state: 'expired', archive: null })
    expect(jobs.files()).toEqual([])
  })

  it('stops running exports on close, and a restart forgets jobs and deletes their archives', async () => {
    const jobs = new ExportJobs({ dataDir, clock })
    const runner = controlled()
    const running = jobs.start(request('user:audrey'), runner.run)
    await jobs.close()
    expect(jobs.get(running.id, 'user:audrey')).toMatchObject({ state: 'failed', error: 'the collector is shutting down' })
    expect(() => jobs.start(request('user:bob'), runner.run)).toThrow('the collector is shutting down')

    mkdirSync(join(dataDir, 'exports'), { recursive: true })
    writeFileSync(join(dataDir, 'exports', 'left-over.zip'), 'old')
    const restarted = new ExportJobs({ dataDir, clock })
    expect(restarted.files()).toEqual([])
    expect(existsSync(join(dataDir, 'exports'))).toBe(true)
    expect(restarted.get(running.id, 'user:audrey')).toBeUndefined()
  })
})

describe('exportPercent', () => {
  it.each([
    [{ phase: 'findings', scansWritten: 0, scansTotal: 0, filesWritten: 0 }, 0],
    [{ phase: 'findings', scansWritten: 10, scansTotal: null, filesWritten: 0 }, 0],
    [{ phase: 'findings', scansWritten: 365, scansTotal: 365, filesWritten: 0 }, 85],
    [{ phase: 'files', scansWritten: 365, scansTotal: 365, filesWritten: 1 }, 85],
    [{ phase: 'files', scansWritten: 365, scansTotal: 365, filesWritten: 7 }, 92],
    [{ phase: 'files', scansWritten: 365, scansTotal: 365, filesWritten: 40 }, 99],
  ] as const)('%o is %i%%', (progress, percent) => {
    expect(exportPercent(progress)).toBe(percent)
  })
})
