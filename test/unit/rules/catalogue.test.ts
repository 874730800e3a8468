import { describe, expect, it } from 'vitest'
import { domains } from '../../../rules/domains.js'
import { loadRuleSet } from '../../../rules/load-rules.js'
import { ruleIdPattern } from '../../../rules/rule-schema.js'
import { runRuleTests } from '../../../rules/rule-tests.js'

/**
 * The meta-test over the built-in catalogue (issue 2): loading it already proves that
 * every file parses, every CEL expression compiles and every fact it reads exists in the
 * fact types (rules/facts/). Here: ids, domains, and every rule's own test cases.
 */
const ruleSet = loadRuleSet()
const rules = ruleSet.rules

describe('built-in rule catalogue', () => {
  it('has rules', () => {
    expect(rules.length).toBeGreaterThan(0)
  })

  it('ids are unique and dotted lowercase kebab-case', () => {
    const ids = rules.map((r) => r.spec.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id, id).toMatch(ruleIdPattern)
  })

  it('every rule is in a known domain, and its file is named for that domain', () => {
    for (const rule of rules) {
      expect(domains, rule.spec.id).toContain(rule.spec.domain)
      expect(rule.source, rule.spec.id).toMatch(new RegExp(`/${rule.spec.domain}\\.yaml$`))
    }
  })

  it.each(rules.map((r) => [r.spec.id, r] as const))('%s has a passing and a failing test case, and all its cases pass', (_id, rule) => {
    const results = runRuleTests(rule)
    const failures = results.filter((r) => !r.passed).map((r) => `${r.name}: expected ${JSON.stringify(r.expected)}, got ${JSON.stringify(r.actual)} (${r.findings.map((f) => f.message).join('; ')})`)
    expect(failures).toEqual([])
    const statuses = new Set(results.flatMap((r) => (typeof r.expected === 'string' ? [r.expected] : Object.values(r.expected))))
    expect(statuses, 'needs a case expecting pass').toContain('pass')
    expect(statuses, 'needs a case expecting fail').toContain('fail')
  })

  it('every rule says why, how to fix, and which controls it evidences', () => {
    for (const { spec } of rules) {
      expect(spec.rationale.length, spec.id).toBeGreaterThan(20)
      expect(spec.remediation.length, spec.id).toBeGreaterThan(10)
      expect(Object.keys(spec.controls).length, spec.id).toBeGreaterThan(0)
    }
  })
})
