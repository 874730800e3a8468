import { describe, expect, it } from 'vitest'
import { daysUntil, formatAge, formatEvidence, formatLabels, formatPercent, formatScore, formatTime } from '../../../../dashboard/app/format.js'

const now = Date.parse('2026-03-02T12:00:00Z')

describe('dashboard formatting', () => {
  it('writes scores with one decimal, 100 without, and a dash for none', () => {
    expect([formatScore(73.94), formatScore(100), formatScore(0), formatScore(null)]).toEqual(['73.9', '100', '0.0', '—'])
    expect([formatPercent(0.987), formatPercent(null)]).toEqual(['99%', '—'])
  })

  it('writes ages in the largest whole unit, past and future', () => {
    expect(formatAge('2026-03-02T11:59:30Z', now)).toBe('just now')
    expect(formatAge('2026-03-02T11:15:00Z', now)).toBe('45 min ago')
    expect(formatAge('2026-03-01T09:00:00Z', now)).toBe('1 d ago')
    expect(formatAge('2026-03-06T12:00:00Z', now)).toBe('in 4 d')
    expect(formatAge(null, now)).toBe('—')
    expect(daysUntil('2026-03-12T12:00:00Z', now)).toBe(10)
  })

  it('writes times in UTC, labels as key=value, evidence as text', () => {
    expect(formatTime('2026-01-31T14:05:09.123Z')).toBe('2026-01-31 14:05 UTC')
    expect(formatLabels({ env: 'prod', rack: 'r7' })).toBe('env=prod, rack=r7')
    expect(formatEvidence('<b>raw</b>')).toBe('<b>raw</b>')
    expect(formatEvidence({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}')
  })
})
