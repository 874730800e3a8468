import { describe, expect, it } from 'vitest'
import { describeCause, rescoreCause } from '../../../collector/rescore-cause.js'

const waiverRef = (id: string) => ({ id, justification: 'j', approver: 'a', expires: '2026-03-05T00:00:00Z', waivedStatus: 'fail' as const })
const now = new Date('2026-03-10T00:00:00Z')

describe('rescoreCause', () => {
  it('names a changed rules version and no waivers when only the rules changed', () => {
    const cause = rescoreCause({ rulesVersion: 'v1', findings: [{ rule: 'a', status: 'fail' }] }, { rulesVersion: 'v2', findings: [{ rule: 'a', status: 'pass' }] }, [], now)
    expect(cause).toEqual({ type: 'rescore', rulesVersion: { previous: 'v1', current: 'v2' }, waivers: [] })
    expect(describeCause(cause)).toBe('re-scored: rules v1 → v2')
  })

  it('tells a removed waiver from an expired one, a narrowed one and a new one, from the findings themselves', () => {
    const previous = {
      rulesVersion: 'v1',
      findings: [
        { rule: 'a', status: 'waived' as const, waiver: waiverRef('w-removed') },
        { rule: 'b', status: 'waived' as const, waiver: waiverRef('w-expired') },
        { rule: 'c', status: 'waived' as const, waiver: waiverRef('w-narrowed') },
        { rule: 'd', status: 'waived' as const, waiver: waiverRef('w-kept') },
        { rule: 'e', status: 'fail' as const },
      ],
    }
    const current = {
      rulesVersion: 'v1',
      findings: [
        { rule: 'a', status: 'fail' as const },
        { rule: 'b', status: 'fail' as const },
        { rule: 'c', status: 'fail' as const },
        { rule: 'd', status: 'waived' as const, waiver: waiverRef('w-kept') },
        { rule: 'e', status: 'waived' as const, waiver: waiverRef('w-new') },
      ],
    }
    const waivers = [
      { id: 'w-expired', expires: '2026-03-09T00:00:00Z' },
      { id: 'w-narrowed', expires: '2026-04-01T00:00:00Z' },
      { id: 'w-kept', expires: '2026-04-01T00:00:00Z' },
      { id: 'w-new', expires: '2026-04-01T00:00:00Z' },
    ]
    const cause = rescoreCause(previous, current, waivers, now)
    expect(cause.rulesVersion).toBeNull()
    expect(cause.waivers).toEqual([
      { id: 'w-expired', rule: 'b', change: 'expired' },
      { id: 'w-narrowed', rule: 'c', change: 'changed' },
      { id: 'w-new', rule: 'e', change: 'added' },
      { id: 'w-removed', rule: 'a', change: 'removed' },
    ])
    expect(describeCause({ type: 'rescore', rulesVersion: null, waivers: [cause.waivers[3]!] })).toBe('re-scored: waiver w-removed (a) removed')
  })
})
