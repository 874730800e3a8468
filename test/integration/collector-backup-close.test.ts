import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Collector } from '../../collector/build-collector.js'
import { openDatabase } from '../../collector/store/sqlite-open.js'
import { captureLog, startCollector } from './collector-fixtures.js'

/**
 * `collector.close()` with an online backup in flight (collector/backup-schedule.ts): a
 * real SQLite file of ~120 MB, so that the backup (100 pages per event-loop turn) is still
 * copying when close is called. Close aborts it and resolves only once it has ended: no
 * partial file left, nothing named like a complete backup, no failure logged after close.
 */
let dir: string
let collector: Collector | undefined

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-backup-close-'))
})
afterEach(async () => {
  await collector?.close()
  collector = undefined
  rmSync(dir, { recursive: true, force: true })
})

/** The collector's database with `megabytes` of incompressible rows beside its own tables. */
function fillDatabase(data: string, megabytes: number): void {
  mkdirSync(data, { recursive: true, mode: 0o700 })
  const db = openDatabase(join(data, 'posture.db'))
  try {
    db.exec('CREATE TABLE test_filler (b BLOB NOT NULL)')
    db.prepare('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) INSERT INTO test_filler SELECT randomblob(8000) FROM c').run(megabytes * 125)
    db.pragma('wal_checkpoint(TRUNCATE)')
  } finally {
    db.close()
  }
}

describe('closing the collector during an online backup', () => {
  it('aborts the backup in flight and waits for it: no partial file, no file that looks complete, nothing logged after close', async () => {
    const data = join(dir, 'data')
    fillDatabase(data, 120)
    const backups = join(data, 'backups')
    // A partial left by a collector killed mid-backup: never taken for a backup, removed at the next one.
    mkdirSync(backups, { recursive: true, mode: 0o700 })
    writeFileSync(join(backups, 'posture-2026-01-01T00-00-00-000Z.db.partial'), 'half a database')
    const logs = captureLog()
    collector = await startCollector(data, { backup: { intervalMs: 200, keep: 3 } }, logs.log)

    // The scheduled backup's partial file appears when its copy starts.
    const partials = () => readdirSync(backups).filter((n) => n.endsWith('.partial'))
    await expect.poll(() => partials().some((n) => !n.startsWith('posture-2026-01-01')), { timeout: 20_000, interval: 2 }).toBe(true)
    expect(partials()).not.toContain('posture-2026-01-01T00-00-00-000Z.db.partial')

    await collector.close()
    collector = undefined
    const messages = () => logs.lines().map((l) => String(l.msg))
    // Ended before close resolved: aborted, not failed later against a closed database.
    expect(messages()).toContain('database backup aborted: the collector is closing')
    expect(readdirSync(backups)).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(messages()).not.toContain('database backup failed')
    expect(messages()).not.toContain('database backup written')
    expect(readdirSync(backups)).toEqual([])

    // The database itself is untouched and a later backup is whole.
    collector = await startCollector(data, {}, captureLog().log)
    const path = await collector.backup()
    await collector.close()
    collector = undefined
    expect(readdirSync(backups)).toEqual([path.split('/').at(-1)])
    const copy = new Database(path, { readonly: true, fileMustExist: true })
    try {
      expect(copy.prepare('SELECT count(*) AS n FROM test_filler').get()).toEqual({ n: 120 * 125 })
      expect(copy.pragma('quick_check', { simple: true })).toBe('ok')
    } finally {
      copy.close()
    }
  }, 120_000)

  it('refuses a backup asked for once the collector is closing', async () => {
    collector = await startCollector(join(dir, 'data'), {}, captureLog().log)
    const closing = collector.close()
    await expect(collector.backup()).rejects.toMatchObject({ code: 'CANNOT_WRITE' })
    await closing
    collector = undefined
  })
})
