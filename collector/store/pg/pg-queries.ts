import type { Report } from '../../../rules/report.js'
import type { FindingFilter, FleetFinding, NodeFacts, NodeFinding, NodeSummary, ScanSummary } from '../store.js'
import type { PgQueryable } from './pg-pool.js'
import { labelsSchema, toFleetFinding, toNodeFinding, toNodeSummary, toReport, toScanSummary, type FindingRow, type FleetFindingRow, type HistoryRow, type NodeRow, type ScanRow } from '../store-rows.js'
import { fleetFindingsSql, historySql, latestScanSql, nodeColumns, nodeFindingsSql, scanFindingsSql } from '../read-sql.js'
import { positionalParameters } from '../sql-parameters.js'

/**
 * The read side on PostgreSQL, row for row the SQLite store's (sqlite-queries.ts): the same
 * SQL (read-sql.ts) where both dialects agree, the same orders (PostgreSQL sorts NULLs last
 * where SQLite sorts them first, so those are spelled out), the same row mappers (store-rows.ts).
 */

export function createPgQueries(db: PgQueryable) {
  async function nodeFindings(nodeId: string, filter: FindingFilter): Promise<NodeFinding[]> {
    const p = positionalParameters()
    const { rows } = await db.query<FindingRow>(nodeFindingsSql(nodeId, filter, p.add), p.values)
    return rows.map(toNodeFinding)
  }

  async function fleetFindings(filter: FindingFilter): Promise<FleetFinding[]> {
    const p = positionalParameters()
    const { rows } = await db.query<FleetFindingRow>(fleetFindingsSql(filter, p.add), p.values)
    return rows.map(toFleetFinding)
  }

  async function latestReport(nodeId: string): Promise<Report | null> {
    const scan = (await db.query<ScanRow>(latestScanSql('$1'), [nodeId])).rows[0]
    if (!scan) return null
    const { rows } = await db.query<FindingRow>(scanFindingsSql('$1'), [scan.pk])
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
      const { rows } = await db.query<HistoryRow>(historySql('$1', '$2'), [nodeId, limit])
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
