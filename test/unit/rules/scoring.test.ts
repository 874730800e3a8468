import { describe, expect, it } from 'vitest'
import type { Finding, Status } from '../../../rules/finding.js'
import { loadScoringPolicy } from '../../../rules/load-rules.js'
import { scoreNode, summarize } from '../../../rules/scoring.js'
import type { Severity } from '../../../rules/severity.js'

const policy = loadScoringPolicy()

function f(severity: Severity, status: Status, extra: Partial<Finding> = {}): Finding {
  return {
    rule: `r.${severity}.${status}`,
    domain: 'system',
    severity,
    status,
    target: '',
    title: 't',
    message: '',
    evidence: null,
    remediation: 'r',
    controls: {},
    ...extra,
  }
}

describe('summarize', () => {
  it('weights passes and failures by severity (critical 10, high 5, medium 3, low 1)', () => {
    // pass: high 5 + low 1 = 6; fail: medium 3 → 100 × 6 / 9 = 66.7
    const s = summarize([f('high', 'pass'), f('low', 'pass'), f('medium', 'fail')], policy)
    expect(s.score).toBe(66.7)
    expect(s.grade).toBe('D')
    expect(s.coverage).toBe(1)
  })

  it('nothing evaluated gives no score and no grade', () => {
    const s = summarize([f('high', 'na'), f('low', 'na')], policy)
    expect(s).toMatchObject({ score: null, grade: null, coverage: null })
    expect(summarize([], policy)).toMatchObject({ score: null, grade: null, coverage: null })
  })

  it('errors lower coverage, never the score', () => {
    const clean = summarize([f('high', 'pass'), f('medium', 'fail')], policy)
    const withErrors = summarize([f('high', 'pass'), f('medium', 'fail'), f('critical', 'error'), f('high', 'error')], policy)
    expect(withErrors.score).toBe(clean.score)
    expect(withErrors.coverage).toBe(0.5)
    expect(withErrors.counts.error).toBe(2)
  })

  it('only errors: no score, coverage 0', () => {
    expect(summarize([f('high', 'error')], policy)).toMatchObject({ score: null, coverage: 0 })
  })

  it('waived findings are counted apart and left out of the score, but not out of the score without waivers', () => {
    const waived = f('high', 'waived', {
      waiver: { id: 'w1', justification: 'legacy client', approver: 'ciso', expires: '2027-01-01T00:00:00Z', waivedStatus: 'fail' },
    })
    const s = summarize([f('high', 'pass'), waived], policy)
    expect(s.score).toBe(100)
    expect(s.counts.waived).toBe(1)
    expect(s.scoreWithoutWaivers).toBe(50)
    expect(s.gradeWithoutWaivers).toBe('F')
  })

  it('grade thresholds: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, else F', () => {
    const grade = (passes: number, fails: number) =>
      summarize([...Array(passes)].map(() => f('low', 'pass')).concat([...Array(fails)].map(() => f('low', 'fail'))), policy).grade
    expect(grade(9, 1)).toBe('A')
    expect(grade(8, 2)).toBe('B')
    expect(grade(7, 3)).toBe('C')
    expect(grade(6, 4)).toBe('D')
    expect(grade(59, 41)).toBe('F')
  })

  it('an unwaived critical failure caps the grade at D', () => {
    const many = [...Array(40)].map(() => f('critical', 'pass'))
    const s = summarize([...many, f('critical', 'fail')], policy)
    expect(s.score).toBeGreaterThan(90)
    expect(s.grade).toBe('D')
    const waivedCritical = f('critical', 'waived', {
      waiver: { id: 'w', justification: 'j', approver: 'a', expires: '2027-01-01T00:00:00Z', waivedStatus: 'fail' },
    })
    const w = summarize([...many, waivedCritical], policy)
    expect(w.grade).toBe('A')
    expect(w.gradeWithoutWaivers).toBe('D')
  })

  it('a score below the cap keeps its own grade', () => {
    expect(summarize([f('critical', 'fail'), f('low', 'pass')], policy).grade).toBe('F')
  })

  it('info findings weigh nothing: info alone gives no score', () => {
    expect(summarize([f('info', 'fail'), f('info', 'pass')], policy).score).toBeNull()
  })
})

describe('scoreNode', () => {
  it('scores per domain and per framework control', () => {
    const findings = [
      f('high', 'pass', { domain: 'tls', controls: { soc2: ['CC6.7'], 'pci-dss-4': ['4.2.1'] } }),
      f('high', 'fail', { domain: 'tls', controls: { soc2: ['CC6.7'] } }),
      f('medium', 'pass', { domain: 'access', controls: { soc2: ['CC6.1'] } }),
    ]
    const s = scoreNode(findings, policy)
    expect(s.score).toBe(61.5)
    expect(s.domains.tls?.score).toBe(50)
    expect(s.domains.access?.score).toBe(100)
    expect(s.controls['soc2:CC6.7']?.score).toBe(50)
    expect(s.controls['pci-dss-4:4.2.1']?.score).toBe(100)
    expect(s.controls['soc2:CC6.1']?.counts.pass).toBe(1)
  })
})
