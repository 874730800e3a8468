import { z } from 'zod'
import type { ComplianceView } from '../http/routes/rules-types.js'

/**
 * Per framework control, how many nodes pass and fail (DESIGN.md, "Scoring": the same per
 * framework control). A node fails a control when any rule mapped to it is an open
 * failure there; it passes when it has evaluated at least one of the control's rules and
 * none fails. Folded from the lifecycle table's per-rule rows through the rules' mappings
 * (the catalogue's, else rule_meta's), for both backends (sqlite-compliance.ts,
 * pg-dashboard-queries.ts).
 */
const controlsSchema = z.record(z.string(), z.array(z.string()))

export interface RuleNodeRow {
  rule: string
  node_id: string
  /** 1 when the node fails the rule, else 0 (PostgreSQL may send a string). */
  failing: number | string
}

export function complianceView(
  framework: string,
  catalogue: ReadonlyMap<string, Record<string, string[]>>,
  ruleMeta: Iterable<{ rule: string; controls: string }>,
  perRule: Iterable<RuleNodeRow>,
): ComplianceView {
  const mappings = new Map(catalogue)
  for (const row of ruleMeta) if (!mappings.has(row.rule)) mappings.set(row.rule, controlsSchema.parse(JSON.parse(row.controls)))
  const frameworks = [...new Set([...mappings.values()].flatMap((c) => Object.keys(c)))].sort()
  const controlRules = new Map<string, Set<string>>()
  for (const [rule, controls] of mappings) for (const id of controls[framework] ?? []) (controlRules.get(id) ?? controlRules.set(id, new Set()).get(id)!).add(rule)
  const ruleControls = new Map<string, string[]>()
  for (const [control, rules] of controlRules) for (const rule of rules) ruleControls.set(rule, [...(ruleControls.get(rule) ?? []), control])
  const evaluated = new Map<string, Set<string>>()
  const failing = new Map<string, Set<string>>()
  for (const row of perRule) {
    for (const control of ruleControls.get(row.rule) ?? []) {
      ;(evaluated.get(control) ?? evaluated.set(control, new Set()).get(control)!).add(row.node_id)
      if (Number(row.failing)) (failing.get(control) ?? failing.set(control, new Set()).get(control)!).add(row.node_id)
    }
  }
  const controls = [...controlRules.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((control) => {
    const failed = failing.get(control)?.size ?? 0
    return { control, rules: [...controlRules.get(control)!].sort(), nodesFailing: failed, nodesPassing: (evaluated.get(control)?.size ?? 0) - failed }
  })
  return { frameworks, framework, controls }
}
