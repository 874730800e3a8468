import type { AddParameter } from './sql-parameters.js'
import type { FindingFilter } from './store.js'

/**
 * The read side's SQL, for both stores (sqlite-queries.ts, pg/pg-queries.ts): one text in
 * both dialects but for placeholders, which the caller passes or `add` writes
 * (sql-parameters.ts). Rows come out as store-rows.ts maps them.
 */
export const nodeColumns = `id, hostname, os, labels, score, grade, coverage, domain_scores, last_seen, last_scan_at, agent_id,
  agent_version, offline_since, scored_with, (SELECT interval_ms FROM agents a WHERE a.id = nodes.agent_id) AS interval_ms`

// Most severe first, then oldest failure first: the order people fix things in.
const severityOrder = `CASE l.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END`

/** A node's latest scan (ScanRow), by node id. */
export function latestScanSql(node: string): string {
  return `SELECT s.*, n.hostname, n.os, n.kernel, n.arch FROM nodes n JOIN scans s ON s.pk = n.last_scan_pk WHERE n.id = ${node}`
}

/** One scan's findings as FindingRows without lifecycle, by scan pk. */
export function scanFindingsSql(scan: string): string {
  return `SELECT f.*, m.title, m.remediation, m.controls, NULL AS state, NULL AS first_seen, NULL AS failing_since,
      NULL AS sla_due, NULL AS resolved_at, 0 AS reopened_count
    FROM findings f LEFT JOIN rule_meta m ON m.rule = f.rule WHERE f.scan_pk = ${scan} ORDER BY f.rule, f.target`
}

/** A node's history (HistoryRows), newest first. */
export function historySql(node: string, limit: string): string {
  return `SELECT scan_id, kind, received_at, started_at, finished_at, rules_version, score, grade, coverage, score_json
    FROM scans WHERE node_id = ${node} ORDER BY pk DESC LIMIT ${limit}`
}

/** The findings of a node's latest scan with their lifecycle (FindingRows): failures first, then by severity. */
export function nodeFindingsSql(nodeId: string, filter: FindingFilter, add: AddParameter): string {
  const where = [`n.id = ${add(nodeId)}`, ...findingConditions(filter, add)]
  return `SELECT f.*, m.title, m.remediation, m.controls, l.state, l.first_seen, l.failing_since, l.sla_due, l.resolved_at,
      coalesce(l.reopened_count, 0) AS reopened_count
    FROM nodes n JOIN findings f ON f.scan_pk = n.last_scan_pk
    LEFT JOIN rule_meta m ON m.rule = f.rule
    LEFT JOIN finding_lifecycle l ON l.node_id = n.id AND l.rule = f.rule AND l.target = f.target
    WHERE ${where.join(' AND ')}
    ORDER BY CASE f.status WHEN 'fail' THEN 0 WHEN 'error' THEN 1 ELSE 2 END, ${severityOrder.replaceAll('l.severity', 'f.severity')}, f.rule, f.target
    LIMIT ${add(filter.limit)} OFFSET ${add(filter.offset)}`
}

/**
 * The fleet's current findings (FleetFindingRows) from the lifecycle table. NULLS FIRST is
 * SQLite's default for an ascending sort and spelled out for PostgreSQL's sake.
 */
export function fleetFindingsSql(filter: FindingFilter, add: AddParameter): string {
  const where = ["l.last_status != 'gone'", ...findingConditions(filter, add)]
  if (filter.node !== undefined) where.push(`n.id = ${add(filter.node)}`)
  return `SELECT l.node_id, n.hostname, l.rule, l.target, l.domain, l.severity, l.last_status AS status,
      coalesce(f.message, '') AS message, f.evidence, f.waiver, m.title, m.remediation, m.controls,
      l.state, l.first_seen, l.failing_since, l.sla_due, l.resolved_at, l.reopened_count
    FROM finding_lifecycle l JOIN nodes n ON n.id = l.node_id
    LEFT JOIN findings f ON f.scan_pk = n.last_scan_pk AND f.rule = l.rule AND f.target = l.target
    LEFT JOIN rule_meta m ON m.rule = l.rule
    WHERE ${where.join(' AND ')}
    ORDER BY CASE l.last_status WHEN 'fail' THEN 0 WHEN 'error' THEN 1 ELSE 2 END, ${severityOrder}, l.failing_since NULLS FIRST, n.hostname, l.rule
    LIMIT ${add(filter.limit)} OFFSET ${add(filter.offset)}`
}

/** Filters on lifecycle columns, else the finding's (a finding may have no lifecycle row yet). */
function findingConditions(filter: FindingFilter, add: AddParameter): string[] {
  const where: string[] = []
  const col = (name: string) => (name === 'status' ? 'coalesce(l.last_status, f.status)' : `coalesce(l.${name}, f.${name})`)
  if (filter.status !== undefined) where.push(`${col('status')} = ${add(filter.status)}`)
  if (filter.severity !== undefined) where.push(`${col('severity')} = ${add(filter.severity)}`)
  if (filter.domain !== undefined) where.push(`${col('domain')} = ${add(filter.domain)}`)
  if (filter.rule !== undefined) where.push(`${col('rule')} = ${add(filter.rule)}`)
  if (filter.overdueAt !== undefined) where.push(`l.state = 'open' AND l.sla_due IS NOT NULL AND l.sla_due < ${add(filter.overdueAt.toISOString())}`)
  return where
}
