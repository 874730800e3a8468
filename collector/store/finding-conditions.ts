import type { ExplorerFilter } from './sqlite-explorer.js'
import type { AddParameter } from './sql-parameters.js'
import type { FindingFilter } from './store.js'

/**
 * WHERE conditions for the finding filters, for both backends: the SQL is the same in
 * SQLite and PostgreSQL but for placeholders, which `add` writes (sql-parameters.ts).
 */

/** Node and fleet findings (sqlite-queries.ts, pg/pg-queries.ts): lifecycle columns, else the finding's. */
export function findingConditions(filter: FindingFilter, add: AddParameter): string[] {
  const where: string[] = []
  const col = (name: string) => (name === 'status' ? 'coalesce(l.last_status, f.status)' : `coalesce(l.${name}, f.${name})`)
  if (filter.status !== undefined) where.push(`${col('status')} = ${add(filter.status)}`)
  if (filter.severity !== undefined) where.push(`${col('severity')} = ${add(filter.severity)}`)
  if (filter.domain !== undefined) where.push(`${col('domain')} = ${add(filter.domain)}`)
  if (filter.rule !== undefined) where.push(`${col('rule')} = ${add(filter.rule)}`)
  if (filter.overdueAt !== undefined) where.push(`l.state = 'open' AND l.sla_due IS NOT NULL AND l.sla_due < ${add(filter.overdueAt.toISOString())}`)
  return where
}

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
