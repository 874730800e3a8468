import type { CompiledRule } from './compile-rule.js'
import { evaluateRule } from './evaluate.js'
import type { Facts } from './facts/facts.js'
import type { Finding, Status } from './finding.js'
import type { RuleTest } from './rule-schema.js'

/** Test cases run on a fixed clock unless they set `now`, so they never depend on today. */
export const defaultTestNow = '2026-01-01T00:00:00Z'

export interface RuleTestResult {
  rule: string
  name: string
  passed: boolean
  expected: RuleTest['expect']
  actual: Status | Record<string, Status>
  findings: Finding[]
}

/** Runs the test cases written beside a rule. */
export function runRuleTests(rule: CompiledRule): RuleTestResult[] {
  return rule.spec.tests.map((test, index) => runRuleTest(rule, test, index))
}

export function runRuleTest(rule: CompiledRule, test: RuleTest, index: number): RuleTestResult {
  const withParams: CompiledRule = { ...rule, spec: { ...rule.spec, params: { ...rule.spec.params, ...test.params } } }
  const findings = evaluateRule(withParams, {
    facts: test.facts as Facts,
    factErrors: test.factErrors ?? {},
    now: new Date(test.now ?? defaultTestNow),
  })
  const name = test.name ?? `case ${index + 1}`
  if (typeof test.expect === 'string') {
    const actual = aggregateStatus(findings)
    return { rule: rule.spec.id, name, passed: actual === test.expect, expected: test.expect, actual, findings }
  }
  const actual = Object.fromEntries(findings.map((f) => [f.target, f.status]))
  const expected = test.expect
  const passed =
    Object.keys(actual).length === Object.keys(expected).length &&
    Object.entries(expected).every(([target, status]) => actual[target] === status)
  return { rule: rule.spec.id, name, passed, expected, actual, findings }
}

/** One status for a rule's findings: any fail, else any error, else any pass, else na. */
export function aggregateStatus(findings: readonly Pick<Finding, 'status'>[]): Status {
  const order: Status[] = ['fail', 'error', 'pass', 'waived', 'na']
  for (const status of order) if (findings.some((f) => f.status === status)) return status
  return 'na'
}
