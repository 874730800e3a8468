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
 * once); a run left `running` is marked interrupted only when its collector is gone (or is
 * this one, starting again), never while the collector running it is alive.
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
      schedulers.push(new Scheduler({ schedules, executors: { agent: executor, ssh: executor }, clock, log: pino({ level: 'silent' }), pollMs: 60_000, claimSlot, owner: `c${schedulers.length}`, onRunFinished: (run) => finished.emit('run', run) }))
    }
    const done = once(finished, 'run')
    await Promise.all(schedulers.map((s) => s.start()))
    await done
    await Promise.all(schedulers.map((s) => s.wake()))
    expect(executors.map((e) => e.scans).sort()).toEqual([0, 1])
    expect((await schedules.runs(schedule.id, 10)).map((r) => r.slot)).toEqual(['2026-11-23T00:10:00.000Z'])
    expect([...claimed]).toEqual([`${schedule.id}@2026-11-23T00:10:00.000Z`])
  })

  it('on start, interrupts its own leftovers and those of collectors gone, never a live collector\'s run', async () => {
    const schedule = await schedules.add(parseScheduleSpec({ name: 'nightly', cron: '0 2 * * *', mode: 'agent' }), new Date('2026-11-23T00:00:00Z'))
    const start = (owner: string) => schedules.startRun({ scheduleId: schedule.id, trigger: 'manual', slot: null, missedSlots: 0, startedAt: new Date('2026-11-23T00:05:00Z'), owner })
    const mine = await start('c-me')
    const live = await start('c-live')
    const dead = await start('c-dead')
    const legacy = await start('c-live')
    db.prepare('UPDATE schedule_runs SET owner = NULL WHERE id = ?').run(legacy.id)
    const asked: string[] = []
    const executor = new Recording()
    const scheduler = new Scheduler({
      schedules, executors: { agent: executor, ssh: executor }, clock, log: pino({ level: 'silent' }), pollMs: 60_000,
      owner: 'c-me',
      liveMembers: async () => {
        asked.push('live')
        return ['c-me', 'c-live']
      },
    })
    schedulers.push(scheduler)
    await scheduler.start()
    const status = async (id: number) => (await schedules.run(id))!.status
    expect({ mine: await status(mine.id), live: await status(live.id), dead: await status(dead.id), legacy: await status(legacy.id) })
      .toEqual({ mine: 'interrupted', live: 'running', dead: 'interrupted', legacy: 'interrupted' })
    expect(asked).toEqual(['live'])
    // The live collector finishes its run: its outcome, not ours.
    await schedules.finishRun(live.id, { finishedAt: now, status: 'ok', targeted: 1, scans: [{ target: 'n1', nodeId: 'node-n1', scanId: 's1' }], failures: [] })
    expect(await status(live.id)).toBe('ok')
  })

  it('sweeps runs of a collector that dies while this one runs, not its own runs in flight', async () => {
    const schedule = await schedules.add(parseScheduleSpec({ name: 'nightly', cron: '0 2 * * *', mode: 'agent' }), new Date('2026-11-23T00:00:00Z'))
    let members = ['c-me', 'c-other']
    const asked: string[][] = []
    const executor = new Recording()
    const scheduler = new Scheduler({
      schedules, executors: { agent: executor, ssh: executor }, clock, log: pino({ level: 'silent' }), pollMs: 60_000,
      owner: 'c-me',
      liveMembers: async () => {
        asked.push(members)
        return members
      },
    })
    schedulers.push(scheduler)
    await scheduler.start()
    // Nothing running: who is alive is not even asked.
    expect(asked).toEqual([])
    const own = await schedules.startRun({ scheduleId: schedule.id, trigger: 'manual', slot: null, missedSlots: 0, startedAt: now, owner: 'c-me' })
    expect(await scheduler.sweepOrphans()).toBe(0)
    expect(asked).toEqual([])
    const other = await schedules.startRun({ scheduleId: schedule.id, trigger: 'manual', slot: null, missedSlots: 0, startedAt: now, owner: 'c-other' })
    expect(await scheduler.sweepOrphans()).toBe(0)
    expect((await schedules.run(other.id))!.status).toBe('running')
    // c-other's presence expires: its run will never end.
    members = ['c-me']
    expect(await scheduler.sweepOrphans()).toBe(1)
    expect((await schedules.run(other.id))!.status).toBe('interrupted')
    expect((await schedules.run(own.id))!.status).toBe('running')
  })

  it('sweeps on its own every orphanSweepMs, and a failing presence read is logged, not thrown', async () => {
    const schedule = await schedules.add(parseScheduleSpec({ name: 'nightly', cron: '0 2 * * *', mode: 'agent' }), new Date('2026-11-23T00:00:00Z'))
    const other = await schedules.startRun({ scheduleId: schedule.id, trigger: 'manual', slot: null, missedSlots: 0, startedAt: now, owner: 'c-other' })
    let calls = 0
    const swept = new EventEmitter<{ asked: [] }>()
    const executor = new Recording()
    const lines: string[] = []
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
    const scheduler = new Scheduler({
      schedules, executors: { agent: executor, ssh: executor }, clock, log, pollMs: 60_000, owner: 'c-me', orphanSweepMs: 20,
      liveMembers: async () => {
        calls++
        setImmediate(() => swept.emit('asked'))
        if (calls === 1) throw new Error('connection terminated')
        return calls < 3 ? ['c-me', 'c-other'] : ['c-me']
      },
    })
    schedulers.push(scheduler)
    await scheduler.start()
    expect((await schedules.run(other.id))!.status).toBe('running')
    expect(lines.some((l) => l.includes('looking for schedule runs left unfinished failed') && l.includes('connection terminated'))).toBe(true)
    while (calls < 3) await once(swept, 'asked')
    await expect.poll(async () => (await schedules.run(other.id))!.status).toBe('interrupted')
    expect(lines.some((l) => l.includes('schedule runs of a collector that is gone marked interrupted'))).toBe(true)
  })

  it('refuses an orphanSweepMs that would spin', () => {
    const executor = new Recording()
    expect(() => new Scheduler({ schedules, executors: { agent: executor, ssh: executor }, clock, log: pino({ level: 'silent' }), pollMs: 60_000, orphanSweepMs: 5 })).toThrow(RangeError)
  })
})
