import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Backend } from '../../../../collector/store/backend.js'
import type { BackendUnderTest, OpenBackend } from '../store/backend-under-test.js'
import { parseScheduleSpec } from '../../../../collector/schedule/schedule-spec.js'

export function describeScheduleStoreContract(backendName: string, open: OpenBackend, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip ?? false)(`schedules contract: ${backendName}`, () => {
  let subject: BackendUnderTest
  let schedules: Backend['schedules']
  beforeEach(async () => {
    subject = await open()
    schedules = subject.backend.schedules
  })
  afterEach(async () => {
    await subject?.close()
  })

  const t0 = new Date('2026-11-23T10:00:00.000Z')


  const spec = (name: string) => parseScheduleSpec({ name, cron: '30 2 * * *', timeZone: 'Europe/Berlin', jitterMs: 1000, target: { kind: 'nodes', nodes: ['a', 'b'] }, mode: 'ssh', domains: ['patches'] })

  it('stores a schedule and reads it back as it was given', async () => {
    const added = await schedules.add(spec('nightly'), t0)
    expect(added).toEqual({ ...spec('nightly'), id: added.id, createdAt: t0.toISOString(), since: t0.toISOString(), lastSlot: null })
    expect(await schedules.get('nightly')).toEqual(added)
    expect(await schedules.get(added.id)).toEqual(added)
    expect(await schedules.list()).toEqual([added])
  })

  it('refuses a second live schedule of the same name, allows it after removal, keeps the history', async () => {
    const first = await schedules.add(spec('nightly'), t0)
    await expect(schedules.add(spec('nightly'), t0)).rejects.toMatchObject({ code: 'BAD_INPUT' })
    const run = await schedules.startRun({ scheduleId: first.id, trigger: 'slot', slot: new Date('2026-11-24T01:30:00Z'), missedSlots: 0, startedAt: t0, owner: 'collector-a' })
    expect(await schedules.remove(first.id, t0)).toBe(true)
    expect(await schedules.get('nightly')).toBeNull()
    expect(await schedules.list()).toEqual([])
    const second = await schedules.add(spec('nightly'), t0)
    expect(second.id).not.toBe(first.id)
    expect((await schedules.runs(first.id, 10)).map((r) => r.id)).toEqual([run.id])
  })

  it('records a run: the slot is taken when the run starts, the outcome when it ends', async () => {
    const schedule = await schedules.add(spec('nightly'), t0)
    const slot = new Date('2026-11-24T01:30:00.000Z')
    const run = await schedules.startRun({ scheduleId: schedule.id, trigger: 'catch-up', slot, missedSlots: 3, startedAt: t0, owner: 'collector-a' })
    expect(run).toMatchObject({ status: 'running', trigger: 'catch-up', slot: slot.toISOString(), missedSlots: 3, finishedAt: null })
    expect((await schedules.get(schedule.id))?.lastSlot).toBe(slot.toISOString())
    await schedules.setTargeted(run.id, 2)
    const finished = await schedules.finishRun(run.id, {
      finishedAt: new Date('2026-11-24T01:31:00.000Z'),
      status: 'partial',
      targeted: 2,
      scans: [{ target: 'a', nodeId: 'n-a', scanId: 's-1' }],
      failures: [{ target: 'b', reason: 'connection refused' }],
    })
    expect(finished).toEqual({
      ...run,
      status: 'partial',
      finishedAt: '2026-11-24T01:31:00.000Z',
      targeted: 2,
      scanned: 1,
      scans: [{ target: 'a', nodeId: 'n-a', scanId: 's-1' }],
      failures: [{ target: 'b', reason: 'connection refused' }],
    })
    expect(await schedules.runs(schedule.id, 10)).toEqual([finished])
  })

  it('lists running runs with their owners, and interrupts only the runs named that are still running', async () => {
    const schedule = await schedules.add(spec('nightly'), t0)
    const start = (owner: string) => schedules.startRun({ scheduleId: schedule.id, trigger: 'manual', slot: null, missedSlots: 0, startedAt: t0, owner })
    const a1 = await start('collector-a')
    const b1 = await start('collector-b')
    const a2 = await start('collector-a')
    const done = await start('collector-b')
    await schedules.finishRun(done.id, { finishedAt: t0, status: 'ok', targeted: 0, scans: [], failures: [] })
    expect(await schedules.runningRuns()).toEqual([
      { id: a1.id, owner: 'collector-a' },
      { id: b1.id, owner: 'collector-b' },
      { id: a2.id, owner: 'collector-a' },
    ])
    const at = new Date('2026-11-23T11:00:00.000Z')
    // A finished run named by mistake (its collector finished it meanwhile) keeps its outcome.
    expect(await schedules.interruptRuns([a1.id, a2.id, done.id], at)).toBe(2)
    expect(await schedules.run(a1.id)).toMatchObject({ status: 'interrupted', finishedAt: at.toISOString() })
    expect(await schedules.run(a2.id)).toMatchObject({ status: 'interrupted', finishedAt: at.toISOString() })
    expect(await schedules.run(b1.id)).toMatchObject({ status: 'running', finishedAt: null })
    expect(await schedules.run(done.id)).toMatchObject({ status: 'ok', finishedAt: t0.toISOString() })
    expect(await schedules.runningRuns()).toEqual([{ id: b1.id, owner: 'collector-b' }])
    expect(await schedules.interruptRuns([], at)).toBe(0)
  })

  it('lists a run from before owners were recorded (migration 8) with no owner', async () => {
    const schedule = await schedules.add(spec('nightly'), t0)
    const run = await schedules.startRun({ scheduleId: schedule.id, trigger: 'manual', slot: null, missedSlots: 0, startedAt: t0, owner: 'collector-a' })
    await subject.sql('UPDATE schedule_runs SET owner = NULL WHERE id = ?', [run.id])
    expect(await schedules.runningRuns()).toEqual([{ id: run.id, owner: null }])
  })

  it('owes no slot from the time a schedule was disabled', async () => {
    const schedule = await schedules.add(spec('nightly'), t0)
    await schedules.setEnabled(schedule.id, false, t0)
    expect((await schedules.get(schedule.id))?.enabled).toBe(false)
    const later = new Date('2026-12-01T00:00:00.000Z')
    await schedules.setEnabled(schedule.id, true, later)
    expect(await schedules.get(schedule.id)).toMatchObject({ enabled: true, since: later.toISOString() })
  })
})
}
