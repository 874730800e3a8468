import type { ComplianceView } from '../http/routes/rules-types.js'
import { complianceView, type RuleNodeRow } from './compliance-view.js'
import type { Db } from './sqlite-open.js'

/** Control pass/fail counts (compliance-view.ts) from the SQLite lifecycle table, streamed per rule and node. */
export function prepareCompliance(db: Db) {
  const perRule = db.prepare<[], RuleNodeRow>(`
    SELECT rule, node_id, max(last_status = 'fail') AS failing FROM finding_lifecycle
    WHERE last_status IN ('pass', 'fail', 'waived') GROUP BY rule, node_id`)
  const meta = db.prepare<[], { rule: string; controls: string }>('SELECT rule, controls FROM rule_meta')

  return function compliance(framework: string, catalogue: ReadonlyMap<string, Record<string, string[]>>): ComplianceView {
    return complianceView(framework, catalogue, meta.all(), perRule.iterate())
  }
}
