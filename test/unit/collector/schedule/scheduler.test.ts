import { EventEmitter, once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { jitterOffsetMs, nextRuns } from '../../../../collector/schedule/next-runs.js'
import type { ScanExecutor, ScanExecutors, ScanOutcome } from '../../../../collector/schedule/scan-executor.js'
import { scheduleSql } from '../../../../collector/schedule/schedule-schema.js'
import { parseScheduleSpec, type ScheduleRun, type ScheduleSpecInput } from '../../../../collector/schedule/schedule-spec.js'
import { Scheduler } from '../../../../collector/schedule/scheduler.js'
import { SqliteSchedules } from '../../../../collector/schedule/sqlite-schedules.js'
import { openDatabase, type Db } from '../../../../collector/store/sqlite-open.js'

/**
 * The scheduler against a real SQLite file and a clock the test moves: executors are
 * plain objects that record what they were asked (the real ones are tested against a real
 * sshd and a real collector in test/integration/schedule-*.test.ts).
 */
class RecordingExecutor implements ScanExecutor {
  readonly unknownTarget = 'no such test node'
  readonly scans: { target: string; at: number; runId: number }[] = []
  gate: Promise<void> | null = null
  constructor(readonly nodes: string[]) {}
  async candidates() {
    return this.nodes.map((n) => ({ id: n, name: n, labels: { env: n.startsWith('prod') ? 'prod' : 'dev' } }))
  }
  async scan(target: { id: string }, request: { runId: number }): Promise<ScanOutcome> {
    this.scans.push({ target: target.id, at: performance.now(), runId: request.runId })
    await this.gate
    return target.id.includes('down') ? { ok: false, reason: 'connection refused' } : { ok: true, nodeId: `node-${target.id}`, scanId: `scan-${target.id}-${request.runId}` }
  }
}

describe('Scheduler', () => {
  let dir: string
  let db: Db
  let schedules: SqliteSchedules
  let scheduler: Scheduler | null = null
  let offsetMs = 0
  const clock = () => new Date(Date.now() + offsetMs)
  const finished = new EventEmitter<{ run: [ScheduleRun] }>()
  const nextRun = () => once(finished, 'run').then(([run]) => run as ScheduleRun)

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'posture-scheduler-'))
    db = openDatabase(join(dir, 'posture.db'))
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'schedules'").get()) db.exec(scheduleSql)
    schedules = new SqliteSchedules(db)
    offsetMs = 0
  })
  afterEach(async () => {
    await scheduler?.stop()
    scheduler = null
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const start = async (executor: RecordingExecutor, pollMs = 60_000) => {
    const executors: ScanExecutors = { agent: executor, ssh: executor }
    scheduler = new Scheduler({ schedules, executors, clock, log: pino({ level: 'silent' }), pollMs, onRunFinished: (run) => finished.emit('run', run) })
    await scheduler.start()
    return scheduler
  }
  const add = (input: Partial<ScheduleSpecInput>, createdAt: Date) => schedules.add(parseScheduleSpec({ name: 'nightly', cron: '0 2 * * *', mode: 'ssh', ...input }), createdAt)

  it('runs a schedule missed while the collector was down once on start, for its latest slot', async () => {
    const schedule = await add({}, new Date('2026-11-01T00:00:00Z'))
    const left = await schedules.startRun({ scheduleId: schedule.id, trigger: 'slot', slot: new Date('2026-11-20T02:00:00Z'), missedSlots: 0, startedAt: new Date('2026-11-20T02:00:00Z'), owner: 'local' })
    await schedules.interruptRuns([left.id], new Date('2026-11-20T02:00:01Z'))
    offsetMs = new Date('2026-11-23T10:00:00Z').getTime() - Date.now() // three slots passed: 21st, 22nd, 23rd
    const executor = new RecordingExecutor(['prod-1', 'prod-2'])
    const done = nextRun()
    await start(executor)
    const run = await done
    expect(run).toMatchObject({ trigger: 'catch-up', slot: '2026-11-23T02:00:00.000Z', missedSlots: 2, status: 'ok', targeted: 2, scanned: 2 })
    expect(run.scans).toEqual([
      { target: 'prod-1', nodeId: 'node-prod-1', scanId: `scan-prod-1-${run.id}` },
      { target: 'prod-2', nodeId: 'node-prod-2', scanId: `scan-prod-2-${run.id}` },
    ])
    // Waking again owes nothing more: one run, not one per missed slot.
    await scheduler!.wake()
    expect((await schedules.runs(schedule.id, 10)).map((r) => r.trigger)).toEqual(['catch-up', 'slot'])
    expect(executor.scans).toHaveLength(2)
  })

  it('fires at the slot by the injected clock, on time', async () => {
    const createdAt = new Date('2026-11-23T01:00:00Z')
    await add({ cron: '*/5 * * * *' }, createdAt)
    const slot = nextRuns({ cron: '*/5 * * * *', timeZone: 'UTC', jitterMs: 0 }, createdAt, 1)[0]!
    offsetMs = slot.getTime() - 300 - Date.now() // 300 ms before the slot
    const done = nextRun()
    await start(new RecordingExecutor(['prod-1']))
    const run = await done
    expect(run).toMatchObject({ trigger: 'slot', slot: slot.toISOString(), missedSlots: 0, status: 'ok' })
    expect(clock().getTime()).toBeGreaterThanOrEqual(slot.getTime())
  })

  it('does not start a schedule again while its previous run is busy; the owed slot runs after', async () => {
    const schedule = await add({ cron: '* * * * *' }, new Date('2026-11-23T00:00:00Z'))
    offsetMs = new Date('2026-11-23T00:10:30Z').getTime() - Date.now()
    const executor = new RecordingExecutor(['prod-1'])
    let release = () => {}
    executor.gate = new Promise<void>((resolve) => (release = resolve))
    await start(executor)
    expect(scheduler!.running()).toEqual([schedule.id])
    offsetMs += 5 * 60_000 // five more slots pass while the run is busy
    await scheduler!.wake()
    expect(await schedules.runs(schedule.id, 10)).toHaveLength(1)
    const first = nextRun()
    executor.gate = null
    const second = first.then(() => nextRun())
    release()
    expect(await first).toMatchObject({ slot: '2026-11-23T00:10:00.000Z' })
    expect(await second).toMatchObject({ trigger: 'catch-up', slot: '2026-11-23T00:15:00.000Z', missedSlots: 4 })
  })

  it('records failures with reasons: a node that failed, a name that matches nothing', async () => {
    await add({ target: { kind: 'nodes', nodes: ['prod-1', 'down-1', 'ghost'] } }, new Date('2026-11-22T00:00:00Z'))
    offsetMs = new Date('2026-11-23T02:00:10Z').getTime() - Date.now()
    const done = nextRun()
    await start(new RecordingExecutor(['prod-1', 'down-1']))
    expect(await done).toMatchObject({
      status: 'partial',
      targeted: 3,
      scanned: 1,
      failures: [
        { target: 'ghost', reason: 'no such test node' },
        { target: 'down-1', reason: 'connection refused' },
      ],
    })
  })

  it('fails a run whose target matches nothing, saying so', async () => {
    await add({ target: { kind: 'labels', labels: { env: 'qa' } } }, new Date('2026-11-22T00:00:00Z'))
    offsetMs = new Date('2026-11-23T02:00:10Z').getTime() - Date.now()
    const done = nextRun()
    await start(new RecordingExecutor(['prod-1']))
    expect(await done).toMatchObject({ status: 'failed', targeted: 0, scanned: 0, failures: [{ target: '*', reason: 'the target matched no SSH node' }] })
  })

  it('starts each target after its own jitter offset, within the jitter', async () => {
    const jitterMs = 400
    const schedule = await add({ jitterMs }, new Date('2026-11-22T00:00:00Z'))
    offsetMs = new Date('2026-11-23T02:00:10Z').getTime() - Date.now()
    const nodes = ['prod-1', 'prod-2', 'prod-3', 'prod-4', 'prod-5', 'prod-6']
    const executor = new RecordingExecutor(nodes)
    const startedAt = performance.now()
    const done = nextRun()
    await start(executor)
    await done
    for (const node of nodes) {
      const expected = jitterOffsetMs(`${schedule.id}|2026-11-23T02:00:00.000Z|${node}`, jitterMs)
      const actual = executor.scans.find((s) => s.target === node)!.at - startedAt
      expect(actual, node).toBeGreaterThanOrEqual(expected - 5)
      expect(actual, node).toBeLessThan(jitterMs + 5_000) // generous: this machine is shared
    }
    expect(new Set(nodes.map((n) => jitterOffsetMs(`${schedule.id}|2026-11-23T02:00:00.000Z|${n}`, jitterMs))).size).toBeGreaterThan(1)
  })

  it('runs now on request without jitter, as a manual run that takes no slot', async () => {
    const schedule = await add({ jitterMs: 3_600_000 }, new Date('2026-11-23T00:00:00Z'))
    offsetMs = new Date('2026-11-23T01:00:00Z').getTime() - Date.now()
    await start(new RecordingExecutor(['prod-1']))
    const { run, done } = await scheduler!.runNow(schedule)
    expect(run).toMatchObject({ trigger: 'manual', slot: null, status: 'running' })
    expect(await done).toMatchObject({ status: 'ok', scanned: 1 })
    expect((await schedules.get(schedule.id))?.lastSlot).toBeNull()
  })

  it('ignores disabled schedules', async () => {
    const schedule = await add({}, new Date('2026-11-01T00:00:00Z'))
    await schedules.setEnabled(schedule.id, false, new Date('2026-11-01T00:00:00Z'))
    offsetMs = new Date('2026-11-23T10:00:00Z').getTime() - Date.now()
    const executor = new RecordingExecutor(['prod-1'])
    await start(executor)
    await scheduler!.wake()
    expect(await schedules.runs(schedule.id, 10)).toEqual([])
  })
})
