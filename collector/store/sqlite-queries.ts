import type { Report } from '../../rules/report.js'
import { fleetFindingsSql, historySql, latestScanSql, nodeColumns, nodeFindingsSql, scanFindingsSql } from './read-sql.js'
import { namedParameters } from './sql-parameters.js'
import type { Db } from './sqlite-open.js'
import { labelsSchema, toFleetFinding, toNodeFinding, toNodeSummary, toReport, toScanSummary, type FindingRow, type FleetFindingRow, type HistoryRow, type NodeRow, type ScanRow } from './store-rows.js'
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
  const statements = {
    listNodes: db.prepare<[], NodeRow>(`SELECT ${nodeColumns} FROM nodes ORDER BY score IS NULL, score, hostname`),
    getNode: db.prepare<[string], NodeRow>(`SELECT ${nodeColumns} FROM nodes WHERE id = ?`),
    latestScan: db.prepare<[string], ScanRow>(latestScanSql('?')),
    scanFindings: db.prepare<[number], FindingRow>(scanFindingsSql('?')),
    history: db.prepare<[string, number], HistoryRow>(historySql('?', '?')),
    toRescore: db.prepare<[string, number], { id: string; labels: string; agent_id: string | null; agent_version: string | null }>(`
      SELECT id, labels, agent_id, agent_version FROM nodes
      WHERE last_scan_pk IS NOT NULL AND (scored_with IS NULL OR scored_with != ?) LIMIT ?`),
  }

  function nodeFindings(nodeId: string, filter: FindingFilter): NodeFinding[] {
    const p = namedParameters()
    const rows = prepared<FindingRow>(nodeFindingsSql(nodeId, filter, p.add)).all(p.values)
    return rows.map(toNodeFinding)
  }

  function fleetFindings(filter: FindingFilter): FleetFinding[] {
    const p = namedParameters()
    const rows = prepared<FleetFindingRow>(fleetFindingsSql(filter, p.add)).all(p.values)
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
    nodeHistory: (nodeId: string, limit: number): ScanSummary[] => statements.history.all(nodeId, limit).map(toScanSummary),
    nodesToRescore: (scoredWith: string, limit: number): NodeFacts[] =>
      statements.toRescore.all(scoredWith, limit).flatMap((row) => {
        const latest = latestReport(row.id)
        if (!latest) return []
        return [{ nodeId: row.id, labels: labelsSchema.parse(JSON.parse(row.labels)), agentId: row.agent_id, agentVersion: row.agent_version, latest }]
      }),
  }
}
