import { describe, expect, it } from 'vitest'
import { sweepEvents, type SweepState } from '../../../../collector/alerts/sweep-events.js'

const node = { id: 'n1', hostname: 'web-1' }
const options = { slaApproachingMs: 2 * 86_400_000, certificateWindowDays: 30, waiverWindowDays: 7 }
const now = new Date('2026-03-10T00:00:00Z')
const empty: SweepState = { silentNodes: [], openFailures: [], certificates: [], waivers: [] }

function failure(slaDue: string, waived = false): SweepState['openFailures'][number] {
  return { node, rule: 'r', target: 't', severity: 'critical', slaDue, failingSince: '2026-03-01T00:00:00Z', waived }
}

describe('sweepEvents', () => {
  it('names a silent node by the time it went silent (a new silence is a new condition)', () => {
    const out = sweepEvents({ ...empty, silentNodes: [{ ...node, offlineSince: '2026-03-09T00:00:00Z' }] }, now, options)
    expect(out.map((c) => [c.key, c.event.type, c.event.severity])).toEqual([['silent|n1|2026-03-09T00:00:00Z', 'node.silent', 'high']])
  })

  it.each([
    ['due in 3 days', '2026-03-13T00:00:00Z', []],
    ['due in 2 days', '2026-03-12T00:00:00Z', ['sla.approaching']],
    ['due now', '2026-03-10T00:00:00Z', ['sla.breached']],
    ['overdue', '2026-03-01T00:00:00Z', ['sla.breached']],
  ])('SLA %s', (_name, due, types) => {
    expect(sweepEvents({ ...empty, openFailures: [failure(due)] }, now, options).map((c) => c.event.type)).toEqual(types)
  })

  it('skips a waived failure (its SLA is paused) and keys SLA conditions by due date', () => {
    expect(sweepEvents({ ...empty, openFailures: [failure('2026-03-01T00:00:00Z', true)] }, now, options)).toEqual([])
    expect(sweepEvents({ ...empty, openFailures: [failure('2026-03-01T00:00:00Z')] }, now, options)[0]!.key).toBe('sla-breached|n1|r@t|2026-03-01T00:00:00Z')
  })

  it.each([
    ['outside the window', '2026-04-10T00:00:01Z', null],
    ['inside the window', '2026-03-25T00:00:00Z', 'high'],
    ['expired', '2026-03-09T00:00:00Z', 'critical'],
  ])('certificate %s', (_name, notAfter, severity) => {
    const out = sweepEvents({ ...empty, certificates: [{ node, target: 'web-1:443', subject: 'CN=web-1', notAfter }] }, now, options)
    expect(out.map((c) => c.event.severity)).toEqual(severity ? [severity] : [])
  })

  it('warns of a waiver expiring within its window, not of one long gone or far off', () => {
    const waiver = { id: 'w', rule: 'r', justification: 'j', approver: 'a', created: '2026-01-01T00:00:00Z' }
    const out = sweepEvents(
      { ...empty, waivers: [{ ...waiver, expires: '2026-03-15T00:00:00Z' }, { ...waiver, id: 'old', expires: '2026-03-01T00:00:00Z' }, { ...waiver, id: 'far', expires: '2026-06-01T00:00:00Z' }] },
      now,
      options,
    )
    expect(out.map((c) => [c.key, c.event.type, c.event.node])).toEqual([['waiver|w|2026-03-15T00:00:00Z', 'waiver.expiring', null]])
  })
})
