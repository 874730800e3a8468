import type { Report } from '../../../rules/report.js'
import type { FindingFilter, FleetFinding, NodeFacts, NodeFinding, NodeSummary, ScanSummary } from '../store.js'
import type { PgQueryable } from './pg-pool.js'
import { labelsSchema, severityOrder, toFleetFinding, toNodeFinding, toNodeSummary, toReport, toScanSummary, type FindingRow, type HistoryRow, type NodeRow, type ScanRow } from '../store-rows.js'
import { findingConditions } from '../finding-conditions.js'
import { positionalParameters } from '../sql-parameters.js'

/**
 * The read side on PostgreSQL, row for row the SQLite store's (sqlite-queries.ts): the same
 * SQL where both dialects agree, the same orders (PostgreSQL sorts NULLs last where SQLite
 * sorts them first, so those are spelled out), the same schemas re-parsing JSON columns.
 */

const nodeColumns = `id, hostname, os, labels, score, grade, coverage, domain_scores, last_seen, last_scan_at, agent_id,
  agent_version, offline_since, scored_with, (SELECT interval_ms FROM agents a WHERE a.id = nodes.agent_id) AS interval_ms`

export function createPgQueries(db: PgQueryable) {
  async function nodeFindings(nodeId: string, filter: FindingFilter): Promise<NodeFinding[]> {
    const p = positionalParameters()
    const where = [`n.id = ${p.add(nodeId)}`, ...findingConditions(filter, p.add)]
    const { rows } = await db.query<FindingRow>(
      `SELECT f.*, m.title, m.remediation, m.controls, l.state, l.first_seen, l.failing_since, l.sla_due, l.resolved_at,
         coalesce(l.reopened_count, 0) AS reopened_count
       FROM nodes n JOIN findings f ON f.scan_pk = n.last_scan_pk
       LEFT JOIN rule_meta m ON m.rule = f.rule
       LEFT JOIN finding_lifecycle l ON l.node_id = n.id AND l.rule = f.rule AND l.target = f.target
       WHERE ${where.join(' AND ')}
       ORDER BY CASE f.status WHEN 'fail' THEN 0 WHEN 'error' THEN 1 ELSE 2 END, ${severityOrder.replaceAll('l.severity', 'f.severity')}, f.rule, f.target
       LIMIT ${p.add(filter.limit)} OFFSET ${p.add(filter.offset)}`,
      p.values,
    )
    return rows.map(toNodeFinding)
  }

  async function fleetFindings(filter: FindingFilter): Promise<FleetFinding[]> {
    const p = positionalParameters()
    const where = ["l.last_status != 'gone'", ...findingConditions(filter, p.add)]
    if (filter.node !== undefined) where.push(`n.id = ${p.add(filter.node)}`)
    const { rows } = await db.query<FindingRow & { node_id: string; hostname: string }>(
      `SELECT l.node_id, n.hostname, l.rule, l.target, l.domain, l.severity, l.last_status AS status,
         coalesce(f.message, '') AS message, f.evidence, f.waiver, m.title, m.remediation, m.controls,
         l.state, l.first_seen, l.failing_since, l.sla_due, l.resolved_at, l.reopened_count
       FROM finding_lifecycle l JOIN nodes n ON n.id = l.node_id
       LEFT JOIN findings f ON f.scan_pk = n.last_scan_pk AND f.rule = l.rule AND f.target = l.target
       LEFT JOIN rule_meta m ON m.rule = l.rule
       WHERE ${where.join(' AND ')}
       ORDER BY CASE l.last_status WHEN 'fail' THEN 0 WHEN 'error' THEN 1 ELSE 2 END, ${severityOrder}, l.failing_since NULLS FIRST, n.hostname, l.rule
       LIMIT ${p.add(filter.limit)} OFFSET ${p.add(filter.offset)}`,
      p.values,
    )
    return rows.map(toFleetFinding)
  }

  async function latestReport(nodeId: string): Promise<Report | null> {
    const scan = (
      await db.query<ScanRow>('SELECT s.*, n.hostname, n.os, n.kernel, n.arch FROM nodes n JOIN scans s ON s.pk = n.last_scan_pk WHERE n.id = $1', [nodeId])
    ).rows[0]
    if (!scan) return null
    const { rows } = await db.query<FindingRow>(
      `SELECT f.*, m.title, m.remediation, m.controls, NULL AS state, NULL AS first_seen, NULL AS failing_since,
         NULL AS sla_due, NULL AS resolved_at, 0 AS reopened_count
       FROM findings f LEFT JOIN rule_meta m ON m.rule = f.rule WHERE f.scan_pk = $1 ORDER BY f.rule, f.target`,
      [scan.pk],
    )
    return toReport(scan, rows)
  }

  return {
    listNodes: async (): Promise<NodeSummary[]> =>
      (await db.query<NodeRow>(`SELECT ${nodeColumns} FROM nodes ORDER BY score IS NULL, score, hostname`)).rows.map(toNodeSummary),
    getNode: async (id: string): Promise<NodeSummary | null> => {
      const row = (await db.query<NodeRow>(`SELECT ${nodeColumns} FROM nodes WHERE id = $1`, [id])).rows[0]
      return row ? toNodeSummary(row) : null
    },
    latestReport,
    nodeFindings,
    fleetFindings,
    nodeHistory: async (nodeId: string, limit: number): Promise<ScanSummary[]> => {
      const { rows } = await db.query<HistoryRow>(
        `SELECT scan_id, kind, received_at, started_at, finished_at, rules_version, score, grade, coverage, score_json
         FROM scans WHERE node_id = $1 ORDER BY pk DESC LIMIT $2`,
        [nodeId, limit],
      )
      return rows.map(toScanSummary)
    },
    nodesToRescore: async (scoredWith: string, limit: number): Promise<NodeFacts[]> => {
      const { rows } = await db.query<{ id: string; labels: string; agent_id: string | null; agent_version: string | null }>(
        `SELECT id, labels, agent_id, agent_version FROM nodes
         WHERE last_scan_pk IS NOT NULL AND (scored_with IS NULL OR scored_with != $1) ORDER BY id LIMIT $2`,
        [scoredWith, limit],
      )
      const out: NodeFacts[] = []
      for (const row of rows) {
        const latest = await latestReport(row.id)
        if (latest) out.push({ nodeId: row.id, labels: labelsSchema.parse(JSON.parse(row.labels)), agentId: row.agent_id, agentVersion: row.agent_version, latest })
      }
      return out
    },
  }
}
