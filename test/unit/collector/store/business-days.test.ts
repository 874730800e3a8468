import { describe, expect, it } from 'vitest'
import { addBusinessDays, addCalendarDays } from '../../../../collector/store/business-days.js'
import { slaDueDate } from '../../../../collector/store/sla.js'
import { loadScoringPolicy } from '../../../../rules/load-rules.js'

describe('addBusinessDays', () => {
  it.each([
    ['2026-03-02T09:00:00Z', 10, '2026-03-16T09:00:00.000Z'], // Monday + 10 → Monday two weeks on
    ['2026-03-06T09:00:00Z', 1, '2026-03-09T09:00:00.000Z'], // Friday + 1 → Monday
    ['2026-03-07T09:00:00Z', 1, '2026-03-10T09:00:00.000Z'], // Saturday: clock starts Monday → Tuesday
    ['2026-03-08T23:00:00Z', 0, '2026-03-09T23:00:00.000Z'], // Sunday + 0 → Monday
    ['2026-03-04T12:00:00Z', 0, '2026-03-04T12:00:00.000Z'], // Wednesday + 0 → itself
    ['2026-12-24T00:00:00Z', 5, '2026-12-31T00:00:00.000Z'], // holidays are not counted out
  ])('%s + %i business days = %s', (start, days, due) => {
    expect(addBusinessDays(new Date(start), days).toISOString()).toBe(due)
  })

  it('refuses negative or fractional days', () => {
    expect(() => addBusinessDays(new Date(0), -1)).toThrow(RangeError)
    expect(() => addCalendarDays(new Date(0), 1.5)).toThrow(RangeError)
  })
})

describe('slaDueDate with rules/scoring.yaml defaults', () => {
  const policy = loadScoringPolicy()
  const since = new Date('2026-03-02T09:00:00Z')
  it.each([
    ['critical', '2026-03-16T09:00:00.000Z'],
    ['high', '2026-04-01T09:00:00.000Z'],
    ['medium', '2026-05-31T09:00:00.000Z'],
  ] as const)('%s is due %s', (severity, due) => {
    expect(slaDueDate(since, severity, policy)?.toISOString()).toBe(due)
  })
  it('info has no SLA', () => {
    expect(slaDueDate(since, 'info', policy)).toBeNull()
  })
})
