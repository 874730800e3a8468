import type { ExplorerFilter } from './sqlite-explorer.js'
import type { AddParameter } from './sql-parameters.js'

/**
 * WHERE conditions for the explorer's filters, for both backends: the SQL is the same in
 * SQLite and PostgreSQL but for placeholders, which `add` writes (sql-parameters.ts).
 */

/**
 * The explorer (sqlite-explorer.ts, pg-dashboard-queries.ts) over finding_lifecycle `l`. A
 * rule prefix (ending in `.`) is left to the caller: each backend reads it its own way.
 */
export function explorerConditions(filter: ExplorerFilter, add: AddParameter): string[] {
  const where = ["l.last_status != 'gone'"]
  if (filter.status) where.push(`l.last_status = ${add(filter.status)}`)
  if (filter.severity) where.push(`l.severity = ${add(filter.severity)}`)
  if (filter.domain) where.push(`l.domain = ${add(filter.domain)}`)
  if (filter.rule && !filter.rule.endsWith('.')) where.push(`l.rule = ${add(filter.rule)}`)
  if (filter.node) where.push(`l.node_id IN (SELECT id FROM nodes WHERE id = ${add(filter.node)} OR hostname LIKE ${add(`%${filter.node.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)} ESCAPE '\\')`)
  // node_labels (migration 6) is kept from nodes.labels by triggers: an index lookup, not JSON parsing per finding.
  if (filter.label) where.push(`l.node_id IN (SELECT node_id FROM node_labels WHERE key = ${add(filter.label.key)} AND value = ${add(filter.label.value)})`)
  if (filter.overdueAt) where.push(`l.state = 'open' AND l.sla_due < ${add(filter.overdueAt.toISOString())}`)
  return where
}
