import { EventEmitter, once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ScanExecutor, ScanOutcome } from '../../../../collector/schedule/scan-executor.js'
import { scheduleSql } from '../../../../collector/schedule/schedule-schema.js'
import { parseScheduleSpec, type ScheduleRun } from '../../../../collector/schedule/schedule-spec.js'
import { Scheduler } from '../../../../collector/schedule/scheduler.js'
import { SqliteSchedules } from '../../../../collector/schedule/sqlite-schedules.js'
import { openDatabase, type Db } from '../../../../collector/store/sqlite-open.js'

/**
 * The scheduler with several collectors on one database: two schedulers share the
 * schedules; a slot runs only where its claim is granted (collector/cluster/ grants each
 * once), and runs in flight are not marked interrupted while other collectors are alive.
 */
class Recording implements ScanExecutor {
  readonly unknownTarget = 'no such node'
  scans = 0
  async candidates() {
    return [{ id: 'n1', name: 'n1', labels: {} }]
  }
  async scan(): Promise<ScanOutcome> {
    this.scans++
    return { ok: true, nodeId: 'node-n1', scanId: `scan-${this.scans}` }
  }
}

describe('Scheduler slot claims', () => {
  let dir: string
  let db: Db
  let schedules: SqliteSchedules
  const schedulers: Scheduler[] = []
  const now = new Date('2026-11-23T00:10:30Z')
  const clock = () => now

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'posture-scheduler-claims-'))
    db = openDatabase(join(dir, 'posture.db'))
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'schedules'").get()) db.exec(scheduleSql)
    schedules = new SqliteSchedules(db)
  })
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.stop()
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs a slot on the one scheduler whose claim is granted', async () => {
    const schedule = await schedules.add(parseScheduleSpec({ name: 'every-minute', cron: '* * * * *', mode: 'agent' }), new Date('2026-11-23T00:09:00Z'))
    const claimed = new Set<string>()
    const claimSlot = async (id: number, slot: Date) => {
      const key = `${id}@${slot.toISOString()}`
      if (claimed.has(key)) return false
      claimed.add(key)
      return true
    }
    const executors = [new Recording(), new Recording()]
    const finished = new EventEmitter<{ run: [ScheduleRun] }>()
    for (const executor of executors) {
      schedulers.push(new Scheduler({ schedules, executors: { agent: executor, ssh: executor }, clock, log: pino({ level: 'silent' }), pollMs: 60_000, claimSlot, alone: () => false, onRunFinished: (run) => finished.emit('run', run) }))
    }
    const done = once(finished, 'run')
    await Promise.all(schedulers.map((s) => s.start()))
    await done
    await Promise.all(schedulers.map((s) => s.wake()))
    expect(executors.map((e) => e.scans).sort()).toEqual([0, 1])
    expect((await schedules.runs(schedule.id, 10)).map((r) => r.slot)).toEqual(['2026-11-23T00:10:00.000Z'])
    expect([...claimed]).toEqual([`${schedule.id}@2026-11-23T00:10:00.000Z`])
  })

  it('leaves runs in flight alone on start while other collectors are alive; alone, marks them interrupted', async () => {
    const schedule = await schedules.add(parseScheduleSpec({ name: 'nightly', cron: '0 2 * * *', mode: 'agent' }), new Date('2026-11-23T00:00:00Z'))
    const run = await schedules.startRun({ scheduleId: schedule.id, trigger: 'manual', slot: null, missedSlots: 0, startedAt: new Date('2026-11-23T00:05:00Z') })
    const executor = new Recording()
    const withPeers = new Scheduler({ schedules, executors: { agent: executor, ssh: executor }, clock, log: pino({ level: 'silent' }), pollMs: 60_000, alone: () => false })
    schedulers.push(withPeers)
    await withPeers.start()
    expect((await schedules.run(run.id))!.status).toBe('running')
    const alone = new Scheduler({ schedules, executors: { agent: executor, ssh: executor }, clock, log: pino({ level: 'silent' }), pollMs: 60_000, alone: () => true })
    schedulers.push(alone)
    await alone.start()
    expect((await schedules.run(run.id))!.status).toBe('interrupted')
  })
})
