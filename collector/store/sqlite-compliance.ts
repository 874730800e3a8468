import { z } from 'zod'
import type { ComplianceView } from '../http/routes/rules-types.js'
import type { Db } from './sqlite-open.js'

/**
 * Per framework control, how many nodes pass and fail (DESIGN.md, "Scoring": the same per
 * framework control). A node fails a control when any rule mapped to it is an open
 * failure there; it passes when it has evaluated at least one of the control's rules and
 * none fails. Counted from the lifecycle table per rule, then folded into controls through
 * the rules' mappings.
 */
const controlsSchema = z.record(z.string(), z.array(z.string()))

export function prepareCompliance(db: Db) {
  const perRule = db.prepare<[], { rule: string; node_id: string; failing: number }>(`
    SELECT rule, node_id, max(last_status = 'fail') AS failing FROM finding_lifecycle
    WHERE last_status IN ('pass', 'fail', 'waived') GROUP BY rule, node_id`)
  const meta = db.prepare<[], { rule: string; controls: string }>('SELECT rule, controls FROM rule_meta')

  return function compliance(framework: string, catalogue: ReadonlyMap<string, Record<string, string[]>>): ComplianceView {
    const mappings = new Map(catalogue)
    for (const row of meta.all()) if (!mappings.has(row.rule)) mappings.set(row.rule, controlsSchema.parse(JSON.parse(row.controls)))
    const frameworks = [...new Set([...mappings.values()].flatMap((c) => Object.keys(c)))].sort()
    const controlRules = new Map<string, Set<string>>()
    for (const [rule, controls] of mappings) for (const id of controls[framework] ?? []) (controlRules.get(id) ?? controlRules.set(id, new Set()).get(id)!).add(rule)
    const ruleControls = new Map<string, string[]>()
    for (const [control, rules] of controlRules) for (const rule of rules) ruleControls.set(rule, [...(ruleControls.get(rule) ?? []), control])
    const evaluated = new Map<string, Set<string>>()
    const failing = new Map<string, Set<string>>()
    for (const row of perRule.iterate()) {
      for (const control of ruleControls.get(row.rule) ?? []) {
        ;(evaluated.get(control) ?? evaluated.set(control, new Set()).get(control)!).add(row.node_id)
        if (row.failing) (failing.get(control) ?? failing.set(control, new Set()).get(control)!).add(row.node_id)
      }
    }
    const controls = [...controlRules.keys()].sort(naturalCompare).map((control) => {
      const failed = failing.get(control)?.size ?? 0
      return { control, rules: [...controlRules.get(control)!].sort(), nodesFailing: failed, nodesPassing: (evaluated.get(control)?.size ?? 0) - failed }
    })
    return { frameworks, framework, controls }
  }
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}
