import { describe, expect, it } from 'vitest'
import { lifecycleKey, nextLifecycle, observationDigest, observe, type Lifecycle } from '../../../../collector/store/lifecycle.js'
import type { Domain } from '../../../../rules/domains.js'
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

describe('observationDigest', () => {
  type Row = Lifecycle & { domain: string }
  const rules = ['system.one', 'system.two', 'tls.one', 'tls.two', 'http.one']
  const domainOf = (rule: string) => rule.slice(0, rule.indexOf('.')) as Domain
  const statuses = ['pass', 'fail', 'error', 'na', 'waived'] as const
  const severities = ['critical', 'high', 'low'] as const

  /** A deterministic pseudo-random scan: some rules of some domains, with statuses and severities. */
  function scan(seed: number) {
    let x = seed * 2654435761
    const next = (n: number) => {
      x = (x * 1103515245 + 12345) % 2147483648
      return x % n
    }
    const domains: Domain[] = (['system', 'tls', 'http'] as const).filter(() => next(3) > 0)
    const findings = rules
      .filter((r) => domains.includes(domainOf(r)) && next(4) > 0)
      .map((rule) => ({ rule, target: next(3) === 0 ? 't1' : '', domain: domainOf(rule), status: statuses[next(2) === 0 ? next(5) : 0]!, severity: severities[next(3)]! }))
    return { findings, domains }
  }

  function apply(table: Map<string, Row>, s: ReturnType<typeof scan>, at: Date): void {
    for (const [key, seen] of observe(s.findings, table, s.domains, at)) {
      const next = nextLifecycle(table.get(key), seen, policy)
      if (next) table.set(key, { ...next, domain: seen.domain })
    }
  }

  /** The next scan of a node: mostly the same as the last, else one thing changed, or a new one. */
  function nextScan(last: ReturnType<typeof scan>, seed: number): ReturnType<typeof scan> {
    const pick = seed % 10
    const findings = last.findings.map((f) => ({ ...f }))
    const one = findings[seed % Math.max(1, findings.length)]
    if (pick < 5 || !one) return pick < 5 ? last : scan(seed)
    if (pick === 5) one.status = statuses[(statuses.indexOf(one.status) + 1) % statuses.length]!
    else if (pick === 6) one.severity = severities[(severities.indexOf(one.severity) + 1) % severities.length]!
    else if (pick === 7) one.target = one.target === '' ? 't2' : ''
    else if (pick === 8) return { findings: findings.filter((f) => f !== one), domains: last.domains }
    else return scan(seed)
    return { findings, domains: last.domains }
  }

  it('skipping an update whose digest equals the last update changes nothing (1,000 random scan sequences)', () => {
    let skipped = 0
    for (let sequence = 0; sequence < 1000; sequence++) {
      const always = new Map<string, Row>()
      const skipping = new Map<string, Row>()
      let lastDigest: string | null = null
      let s = scan(sequence)
      for (let i = 0; i < 12; i++) {
        s = nextScan(s, sequence * 31 + i * 7)
        const at = t(2 + i)
        apply(always, s, at)
        const digest = observationDigest(s.findings, s.domains)
        if (digest === lastDigest) skipped++
        else apply(skipping, s, at)
        lastDigest = digest
      }
      expect(skipping).toEqual(always)
    }
    expect(skipped).toBeGreaterThan(1000)
  })

  it('differs when a status, a severity, a target or the scanned domains differ', () => {
    const base = [{ rule: 'a.one', target: '', status: 'pass' as const, severity: 'low' as const }]
    const digest = observationDigest(base, ['a'])
    expect(observationDigest(base, ['a'])).toBe(digest)
    expect(observationDigest([{ ...base[0]!, status: 'fail' }], ['a'])).not.toBe(digest)
    expect(observationDigest([{ ...base[0]!, severity: 'high' }], ['a'])).not.toBe(digest)
    expect(observationDigest([{ ...base[0]!, target: 'x' }], ['a'])).not.toBe(digest)
    expect(observationDigest(base, ['a', 'b'])).not.toBe(digest)
    expect(observationDigest([], ['a'])).not.toBe(observationDigest([], ['b']))
  })
})
