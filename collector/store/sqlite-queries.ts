import type { Report } from '../../rules/report.js'
import { findingConditions } from './finding-conditions.js'
import { namedParameters } from './sql-parameters.js'
import type { Db } from './sqlite-open.js'
import { labelsSchema, severityOrder, toFleetFinding, toNodeFinding, toNodeSummary, toReport, toScanSummary, type FindingRow, type HistoryRow, type NodeRow, type ScanRow } from './store-rows.js'
import type { FindingFilter, FleetFinding, NodeFacts, NodeFinding, NodeSummary, ScanSummary } from './store.js'

/**
 * The read side: rows → API/domain values. JSON columns were validated before they were
 * written; they are parsed again here with the same schemas so a damaged row is an error
 * with a name, never a silently wrong value.
 */

export function prepareQueries(db: Db) {
  // Filtered queries differ only by which conditions are present: a handful of shapes, each prepared once.
  const shapes = new Map<string, ReturnType<Db['prepare']>>()
  const prepared = <R>(sql: string) => {
    let statement = shapes.get(sql)
    if (!statement) shapes.set(sql, (statement = db.prepare(sql)))
    return statement as unknown as { all(params: Record<string, unknown>): R[] }
  }
  const nodeColumns = `id, hostname, os, labels, score, grade, coverage, domain_scores, last_seen, last_scan_at, agent_id,
    agent_version, offline_since, scored_with, (SELECT interval_ms FROM agents a WHERE a.id = nodes.agent_id) AS interval_ms`
  const statements = {
    listNodes: db.prepare<[], NodeRow>(`SELECT ${nodeColumns} FROM nodes ORDER BY score IS NULL, score, hostname`),
    getNode: db.prepare<[string], NodeRow>(`SELECT ${nodeColumns} FROM nodes WHERE id = ?`),
    latestScan: db.prepare<[string], ScanRow>(`
      SELECT s.*, n.hostname, n.os, n.kernel, n.arch FROM nodes n JOIN scans s ON s.pk = n.last_scan_pk WHERE n.id = ?`),
    scanFindings: db.prepare<[number], FindingRow>(`
      SELECT f.*, m.title, m.remediation, m.controls, NULL AS state, NULL AS first_seen, NULL AS failing_since,
        NULL AS sla_due, NULL AS resolved_at, 0 AS reopened_count
      FROM findings f LEFT JOIN rule_meta m ON m.rule = f.rule WHERE f.scan_pk = ? ORDER BY f.rule, f.target`),
    history: db.prepare<[string, number], HistoryRow>(`
      SELECT scan_id, kind, received_at, started_at, finished_at, rules_version, score, grade, coverage, score_json
      FROM scans WHERE node_id = ? ORDER BY pk DESC LIMIT ?`),
    toRescore: db.prepare<[string, number], { id: string; labels: string; agent_id: string | null; agent_version: string | null }>(`
      SELECT id, labels, agent_id, agent_version FROM nodes
      WHERE last_scan_pk IS NOT NULL AND (scored_with IS NULL OR scored_with != ?) LIMIT ?`),
  }

  function nodeFindings(nodeId: string, filter: FindingFilter): NodeFinding[] {
    const p = namedParameters()
    const where = [`n.id = ${p.add(nodeId)}`, ...findingConditions(filter, p.add)]
    const rows = prepared<FindingRow>(`
        SELECT f.*, m.title, m.remediation, m.controls, l.state, l.first_seen, l.failing_since, l.sla_due, l.resolved_at,
          coalesce(l.reopened_count, 0) AS reopened_count
        FROM nodes n JOIN findings f ON f.scan_pk = n.last_scan_pk
        LEFT JOIN rule_meta m ON m.rule = f.rule
        LEFT JOIN finding_lifecycle l ON l.node_id = n.id AND l.rule = f.rule AND l.target = f.target
        WHERE ${where.join(' AND ')}
        ORDER BY CASE f.status WHEN 'fail' THEN 0 WHEN 'error' THEN 1 ELSE 2 END, ${severityOrder.replaceAll('l.severity', 'f.severity')}, f.rule, f.target
        LIMIT ${p.add(filter.limit)} OFFSET ${p.add(filter.offset)}`).all(p.values)
    return rows.map(toNodeFinding)
  }

  function fleetFindings(filter: FindingFilter): FleetFinding[] {
    const p = namedParameters()
    const where = ["l.last_status != 'gone'", ...findingConditions(filter, p.add)]
    if (filter.node !== undefined) where.push(`n.id = ${p.add(filter.node)}`)
    const rows = prepared<FindingRow & { node_id: string; hostname: string }>(`
        SELECT l.node_id, n.hostname, l.rule, l.target, l.domain, l.severity, l.last_status AS status,
          coalesce(f.message, '') AS message, f.evidence, f.waiver, m.title, m.remediation, m.controls,
          l.state, l.first_seen, l.failing_since, l.sla_due, l.resolved_at, l.reopened_count
        FROM finding_lifecycle l JOIN nodes n ON n.id = l.node_id
        LEFT JOIN findings f ON f.scan_pk = n.last_scan_pk AND f.rule = l.rule AND f.target = l.target
        LEFT JOIN rule_meta m ON m.rule = l.rule
        WHERE ${where.join(' AND ')}
        ORDER BY CASE l.last_status WHEN 'fail' THEN 0 WHEN 'error' THEN 1 ELSE 2 END, ${severityOrder}, l.failing_since, n.hostname, l.rule
        LIMIT ${p.add(filter.limit)} OFFSET ${p.add(filter.offset)}`).all(p.values)
    return rows.map(toFleetFinding)
  }

  function latestReport(nodeId: string): Report | null {
    const scan = statements.latestScan.get(nodeId)
    if (!scan) return null
    return toReport(scan, statements.scanFindings.all(scan.pk))
  }

  return {
    listNodes: (): NodeSummary[] => statements.listNodes.all().map(toNodeSummary),
    getNode: (id: string): NodeSummary | null => {
      const row = statements.getNode.get(id)
      return row ? toNodeSummary(row) : null
    },
    latestReport,
    nodeFindings,
    fleetFindings,
    nodeHistory: (nodeId: string, limit: number): ScanSummary[] =>
      statements.history.all(nodeId, limit).map(toScanSummary),
    nodesToRescore: (scoredWith: string, limit: number): NodeFacts[] =>
      statements.toRescore.all(scoredWith, limit).flatMap((row) => {
        const latest = latestReport(row.id)
        if (!latest) return []
        return [{ nodeId: row.id, labels: labelsSchema.parse(JSON.parse(row.labels)), agentId: row.agent_id, agentVersion: row.agent_version, latest }]
      }),
  }
}
