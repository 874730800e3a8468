import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Agent } from '../../agent/agent-runtime.js'
import type { Collector } from '../../collector/build-collector.js'
import { migrations } from '../../collector/store/migrations.js'
import { captureLog, eventCount, fakeAgent, joinAgent, startCollector } from './collector-fixtures.js'

/** The scheduled online backup (collector/backup-schedule.ts) in a running collector. */
let dir: string
let collector: Collector | undefined
let agent: Agent | undefined

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-backup-'))
})
afterEach(async () => {
  await agent?.stop()
  agent = undefined
  await collector?.close()
  collector = undefined
  rmSync(dir, { recursive: true, force: true })
})

describe('scheduled online backups', () => {
  it('run on their interval while agents report, keep the newest N, and each opens as a valid database with the data', async () => {
    const logs = captureLog()
    const data = join(dir, 'data')
    collector = await startCollector(data, { backup: { intervalMs: 250, keep: 2 } }, logs.log)
    const stateDir = join(dir, 'agent')
    agent = fakeAgent(stateDir, await joinAgent(collector, stateDir), { hostname: 'backed-up', synchronized: false })
    const acked = eventCount(agent, 'acked', 1)
    agent.start()
    await acked
    const [node] = await collector.store.listNodes()
    expect(node).toMatchObject({ hostname: 'backed-up', score: 25 })

    // Written by the timer alone (nothing calls backup()): wait for four, counting from the report.
    const written = () => logs.lines().filter((l) => l.msg === 'database backup written').map((l) => String(l.path))
    const before = written().length
    await expect.poll(() => written().length - before, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(4)

    expect(logs.lines().some((l) => l.msg === 'database backup failed')).toBe(false)
    // Stop the timer (and the collector) before looking, so no backup is half-written meanwhile.
    await collector.close()
    collector = undefined
    const backupsDir = join(data, 'backups')
    const files = readdirSync(backupsDir).sort()
    for (const name of files) expect(name).toMatch(/^posture-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.db$/)
    // The newest two of everything written are the ones kept.
    expect(files).toEqual(written().slice(-2).map((p) => p.split('/').at(-1)).sort())

    for (const name of files) {
      const db = new Database(join(backupsDir, name), { readonly: true, fileMustExist: true })
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
        expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
        expect(db.prepare('SELECT hostname, score FROM nodes WHERE id = ?').get(node!.id)).toEqual({ hostname: 'backed-up', score: 25 })
        const findings = db.prepare('SELECT count(*) AS n FROM findings f JOIN scans s ON s.pk = f.scan_pk WHERE s.node_id = ?').get(node!.id) as { n: number }
        expect(findings.n).toBeGreaterThan(0)
        expect(db.prepare("SELECT state FROM finding_lifecycle WHERE node_id = ? AND rule = 'system.time-synced'").get(node!.id)).toEqual({ state: 'open' })
      } finally {
        db.close()
      }
    }
  }, 60_000)

  it('writes none when the interval is 0', async () => {
    const logs = captureLog()
    collector = await startCollector(join(dir, 'data'), { backup: { intervalMs: 0, keep: 2 } }, logs.log)
    // The timer is not armed at all: a manual backup is the only way to get one.
    const path = await collector.backup()
    expect(readdirSync(join(dir, 'data', 'backups'))).toEqual([path.split('/').at(-1)])
    expect(logs.lines().some((l) => l.msg === 'database backup written')).toBe(false)
  })
})
