import { describe, expect, it } from 'vitest'
import { runRuleTests } from '../../../../../rules/rule-tests.js'
import { loadPatchRules } from './patch-rules.js'

const rules = loadPatchRules()

describe('rules/catalogue/patches.yaml', () => {
  it('has exactly the public rule ids of issue 4, in domain patches', () => {
    expect(rules.map((r) => r.spec.id)).toEqual([
      'patch.security-updates',
      'patch.pending-updates',
      'patch.reboot-required',
      'patch.kernel-current',
      'patch.auto-updates',
      'patch.index-fresh',
      'patch.os-supported',
    ])
    for (const rule of rules) expect(rule.spec.domain).toBe('patches')
  })

  it.each(rules.map((r) => [r.spec.id, r] as const))('%s: its own test cases pass, with pass, fail and error cases', (_id, rule) => {
    const results = runRuleTests(rule)
    expect(results.filter((r) => !r.passed).map((r) => `${r.name}: got ${JSON.stringify(r.actual)} ${r.findings.map((f) => f.message).join('; ')}`)).toEqual([])
    const expected = new Set(results.map((r) => r.expected))
    for (const status of ['pass', 'fail', 'error']) expect(expected, status).toContain(status)
  })

  it.each(rules.map((r) => [r.spec.id, r] as const))('%s maps to the patch-management controls', (_id, rule) => {
    const { controls } = rule.spec
    expect(controls['pci-dss-4']).toContain('6.3.3')
    expect(controls.iso27001).toContain('A.8.8')
    expect(controls.soc2).toContain('CC7.1')
    expect(controls['nist-800-53']).toContain('SI-2')
    expect(controls['cis-v8']?.some((c) => c === '7.3' || c === '7.4')).toBe(true)
  })

  it('the index age threshold is a param users can override', () => {
    expect(rules.find((r) => r.spec.id === 'patch.index-fresh')?.spec.params).toEqual({ maxAgeDays: 7 })
  })
})
