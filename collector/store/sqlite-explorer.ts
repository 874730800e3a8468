import { statuses, type Status } from '../../rules/finding.js'
import type { Domain } from '../../rules/domains.js'
import type { Severity } from '../../rules/severity.js'
import type { Db } from './sqlite-open.js'
import type { FleetFinding } from './store.js'
import { severityRankSql } from './dashboard-schema.js'
import { explorerConditions } from './finding-conditions.js'
import { namedParameters } from './sql-parameters.js'
import { toFleetFinding, type FleetFindingRow } from './store-rows.js'

/**
 * The findings explorer's query: the fleet's current findings (one per node, rule and
 * target, from the lifecycle table) filtered by status, severity, domain, rule (exact, or
 * a prefix ending in `.`), node (hostname substring or id), label (`key=value`) and open
 * failures past their SLA; sorted by severity, failure age or SLA due date. Each sort has
 * an index (dashboard-schema.ts, explorer-schema.ts), so a page costs the rows it returns,
 * not the fleet's.
 */
export type ExplorerSort = 'severity' | 'age' | 'sla'

export interface ExplorerFilter {
  status?: Status | undefined
  severity?: Severity | undefined
  domain?: Domain | undefined
  rule?: string | undefined
  node?: string | undefined
  label?: { key: string; value: string } | undefined
  overdueAt?: Date | undefined
  sort: ExplorerSort
  limit: number
  offset: number
}

const orders: Record<ExplorerSort, string> = {
  severity: `l.last_status, (${severityRankSql.replaceAll('severity', 'l.severity')}), l.failing_since, l.node_id, l.rule, l.target`,
  age: 'l.failing_since IS NULL, l.failing_since, l.node_id, l.rule, l.target',
  sla: 'l.sla_due IS NULL, l.sla_due, l.node_id, l.rule, l.target',
}

/**
 * The page is chosen from `source` (lifecycle rows `l`, filtered) alone, whose indexes serve
 * filter and sort; then only its rows are joined to nodes, findings (message, evidence) and
 * rule metadata: joining first would read the evidence of every matching finding in the
 * fleet. For both backends (pg-dashboard-queries.ts).
 */
export function explorerPageSql(source: string, sort: ExplorerSort, limit: string, offset: string): string {
  return `
    WITH page AS MATERIALIZED (
      SELECT l.node_id, l.rule, l.target FROM ${source}
      ORDER BY ${orders[sort]}
      LIMIT ${limit} OFFSET ${offset}
    )
    SELECT l.node_id, n.hostname, l.rule, l.target, l.domain, l.severity, l.last_status AS status, f.message, f.evidence, f.waiver,
      m.title, m.remediation, m.controls, l.state, l.first_seen, l.failing_since, l.sla_due, l.resolved_at, l.reopened_count
    FROM page p
    JOIN finding_lifecycle l ON l.node_id = p.node_id AND l.rule = p.rule AND l.target = p.target
    JOIN nodes n ON n.id = l.node_id
    LEFT JOIN findings f ON f.scan_pk = n.last_scan_pk AND f.rule = l.rule AND f.target = l.target
    LEFT JOIN rule_meta m ON m.rule = l.rule
    ORDER BY ${orders[sort]}`
}

export function prepareExplorer(db: Db) {
  const shapes = new Map<string, ReturnType<Db['prepare']>>()
  const rulesIn = db.prepare<[string, string], { rule: string }>('SELECT rule FROM rule_meta WHERE rule >= ? AND rule < ?')
  return function explore(filter: ExplorerFilter): FleetFinding[] {
    let rules: string[] = []
    if (filter.rule?.endsWith('.')) {
      // A prefix names the rules it covers (rule_meta): none, no findings.
      rules = rulesIn.all(filter.rule, filter.rule.slice(0, -1) + '/').map((r) => r.rule)
      if (rules.length === 0) return []
    }
    const { sql, params } = explorerQuery(filter, rules)
    let statement = shapes.get(sql)
    if (!statement) shapes.set(sql, (statement = db.prepare(sql)))
    return (statement.all(params) as FleetFindingRow[]).map(toFleetFinding)
  }
}

/**
 * The explorer's SQLite query for a filter (`prefixRules`: the rules a rule prefix names).
 * Where the sort's index starts with a column the filter leaves open, each value's page is
 * read from that index in order and the pages merged, instead of sorting every match:
 * - a rule prefix: each rule's page from `lifecycle_rule_rank`;
 * - age or SLA without a status: each status's page from `lifecycle_status_age` or
 *   `lifecycle_status_sla` (explorer-schema.ts).
 */
export function explorerQuery(filter: ExplorerFilter, prefixRules: readonly string[]): { sql: string; params: Record<string, unknown> } {
  const { values: params, add } = namedParameters()
  const where = explorerConditions(filter, add)
  const parts = prefixRules.length
    ? prefixRules.map((rule) => `l.rule = ${add(rule)}`)
    : !filter.status && filter.sort !== 'severity' && !filter.rule
      ? statuses.map((status) => `l.last_status = '${status}'`)
      : []
  const window = parts.length ? add(filter.limit + filter.offset) : ''
  const pages = parts.map((part) => `SELECT * FROM (SELECT l.node_id, l.rule, l.target, l.last_status, l.severity, l.failing_since, l.sla_due FROM finding_lifecycle l
      WHERE ${[...where, part].join(' AND ')} ORDER BY ${orders[filter.sort]} LIMIT ${window})`)
  const source = pages.length ? `(${pages.join(' UNION ALL ')}) l` : `finding_lifecycle l WHERE ${where.join(' AND ')}`
  return { sql: explorerPageSql(source, filter.sort, add(filter.limit), add(filter.offset)), params }
}
