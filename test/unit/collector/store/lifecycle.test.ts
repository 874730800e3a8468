import { describe, expect, it } from 'vitest'
import { lifecycleKey, nextLifecycle, observe, type Lifecycle } from '../../../../collector/store/lifecycle.js'
import { loadScoringPolicy } from '../../../../rules/load-rules.js'

const policy = loadScoringPolicy()
const t = (day: number) => new Date(Date.UTC(2026, 2, day, 10))

describe('nextLifecycle', () => {
  it('opens a first failure with failingSince and the severity SLA', () => {
    expect(nextLifecycle(undefined, { status: 'fail', severity: 'critical', at: t(2) }, policy)).toEqual({
      state: 'open', severity: 'critical', lastStatus: 'fail', firstSeen: t(2).toISOString(), lastChanged: t(2).toISOString(),
      failingSince: t(2).toISOString(), slaDue: '2026-03-16T10:00:00.000Z', resolvedAt: null, reopenedCount: 0,
    })
  })

  it('records a first pass as passing, and ignores a first sighting of something gone', () => {
    expect(nextLifecycle(undefined, { status: 'pass', severity: 'low', at: t(2) }, policy)?.state).toBe('passing')
    expect(nextLifecycle(undefined, { status: 'gone', severity: 'low', at: t(2) }, policy)).toBeNull()
  })

  const open = nextLifecycle(undefined, { status: 'fail', severity: 'high', at: t(2) }, policy)!

  it('changes nothing when the status is the same', () => {
    expect(nextLifecycle(open, { status: 'fail', severity: 'high', at: t(3) }, policy)).toBeNull()
  })

  it.each(['error', 'waived'] as const)('keeps an open failure open through %s, failingSince unchanged', (status) => {
    const next = nextLifecycle(open, { status, severity: 'high', at: t(3) }, policy)!
    expect(next).toMatchObject({ state: 'open', lastStatus: status, failingSince: t(2).toISOString() })
  })

  it.each(['pass', 'na', 'gone'] as const)('resolves an open failure on %s', (status) => {
    expect(nextLifecycle(open, { status, severity: 'high', at: t(4) }, policy)).toMatchObject({
      state: 'resolved', failingSince: null, slaDue: null, resolvedAt: t(4).toISOString(),
    })
  })

  it('reopens a resolved failure with a new failingSince and counts it', () => {
    const resolved = nextLifecycle(open, { status: 'pass', severity: 'high', at: t(4) }, policy)!
    const reopened = nextLifecycle(resolved, { status: 'fail', severity: 'high', at: t(6) }, policy)!
    expect(reopened).toMatchObject({ state: 'open', failingSince: t(6).toISOString(), reopenedCount: 1, resolvedAt: null, firstSeen: t(2).toISOString() })
  })

  it('moves the due date when the severity of an open failure changes', () => {
    const next = nextLifecycle(open, { status: 'fail', severity: 'critical', at: t(3) }, policy)!
    expect(next.slaDue).toBe('2026-03-16T10:00:00.000Z')
    expect(next.failingSince).toBe(t(2).toISOString())
  })
})

describe('observe', () => {
  it('adds gone for known rows of scanned domains only', () => {
    const row = (domain: string): Lifecycle & { domain: string } => ({ ...open(), domain })
    const open = () => nextLifecycle(undefined, { status: 'fail', severity: 'high', at: t(2) }, policy)!
    const known = new Map([
      [lifecycleKey('tls.a', '1.2.3.4:443'), row('tls')],
      [lifecycleKey('storage.b', 'md0'), row('storage')],
    ])
    const seen = observe([], known, ['tls'], t(3))
    expect([...seen.values()].map((o) => [o.rule, o.target, o.status])).toEqual([['tls.a', '1.2.3.4:443', 'gone']])
  })
})
