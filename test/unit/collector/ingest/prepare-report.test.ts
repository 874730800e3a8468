import { beforeAll, describe, expect, it } from 'vitest'
import { reevaluate, scoreReport } from '../../../../collector/ingest/prepare-report.js'
import { loadRuleSet, type RuleSet } from '../../../../rules/load-rules.js'
import { fakeReport } from '../../../integration/collector-fixtures.js'

let ruleSet: RuleSet
beforeAll(() => {
  ruleSet = loadRuleSet()
})
const at = new Date('2026-03-02T10:00:00Z')
const waiver = { id: 'w1', rule: 'system.time-synced', justification: 'j', approver: 'a', created: '2026-01-01T00:00:00Z', expires: '2026-06-01T00:00:00Z' }

describe('scoreReport', () => {
  it('keeps the agent findings when the rules match, applying waivers and re-scoring', async () => {
    const report = await fakeReport(ruleSet, { hostname: 'n', synchronized: false }, at)
    const { report: scored, reevaluated } = scoreReport(report, { ruleSet, waivers: [waiver], labels: {}, now: at })
    expect(reevaluated).toBe(false)
    expect(scored.findings.find((f) => f.rule === 'system.time-synced')?.status).toBe('waived')
    expect(scored.score.score).toBe(100)
    expect(scored.score.scoreWithoutWaivers).toBe(25)
  })

  it('validates facts where it evaluates them: invalid facts are a BAD_INPUT error naming the fact', async () => {
    const report = { ...(await fakeReport(ruleSet, { hostname: 'n' }, at)), rulesVersion: 'old+000000000000' }
    const bad = { ...report, facts: { system: { hostname: 42 } } } as unknown as typeof report
    expect(() => scoreReport(bad, { ruleSet, waivers: [], labels: {}, now: at })).toThrow(expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringContaining('invalid facts at facts.system.hostname') }))
    expect(() => reevaluate(bad, { ruleSet, waivers: [], labels: {}, now: at })).toThrow(/invalid facts at facts\.system\.hostname/)
    // With the collector's own rules version the findings are kept and facts are not evaluated.
    expect(scoreReport({ ...bad, rulesVersion: ruleSet.version }, { ruleSet, waivers: [], labels: {}, now: at }).reevaluated).toBe(false)
  })

  it('evaluates the facts again when the agent used other rules', async () => {
    const report = { ...(await fakeReport(ruleSet, { hostname: 'n', synchronized: false }, at)), rulesVersion: 'old+000000000000', findings: [] }
    const { report: scored, reevaluated } = scoreReport(report, { ruleSet, waivers: [], labels: {}, now: at })
    expect(reevaluated).toBe(true)
    expect(scored.rulesVersion).toBe(ruleSet.version)
    expect(scored.findings.map((f) => [f.rule, f.status]).sort()).toEqual([['system.time-sync-enabled', 'pass'], ['system.time-synced', 'fail']])
  })

  it('judges waivers at the re-scoring time: an expired one no longer applies', async () => {
    const report = await fakeReport(ruleSet, { hostname: 'n', synchronized: false }, at)
    const later = reevaluate(report, { ruleSet, waivers: [waiver], labels: {}, now: new Date('2026-07-01T00:00:00Z') }, 'r1')
    expect(later.scanId).toBe('r1')
    expect(later.findings.find((f) => f.rule === 'system.time-synced')?.status).toBe('fail')
  })
})
