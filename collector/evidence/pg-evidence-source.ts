import { z } from 'zod'
import { gathererReadsSchema, type GathererReads } from '../../rules/report.js'
import { waiverSchema, type Waiver } from '../../rules/waivers.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { PgPool } from '../store/pg/pg-pool.js'
import type { EvidenceScan, ExportWindow } from './evidence-model.js'
import { nodesWithLabels, toEvidenceFinding, toEvidenceScan, type EvidenceNode, type FindingRow, type ScanRow } from './evidence-rows.js'
import type { EvidenceSource, ScanWithFindings } from './evidence-source.js'
import type { ManualEvidenceStore } from './manual-evidence-store.js'
import { StoreEvidenceSource } from './store-evidence-source.js'

/**
 * The evidence source over PostgreSQL. Streams node by node like the SQLite source: one
 * query for a node's scans in the window and one for all their findings (not one per
 * scan: a year of daily scans is a few round trips per node), so memory holds one node's
 * window at a time and no cursor or transaction stays open while the archive is written.
 */
const scansSql = `
  SELECT pk, scan_id, node_id, started_at, finished_at, rules_version, posture_version, source, score,
    CAST(CAST(score_json AS jsonb) ->> 'scoreWithoutWaivers' AS double precision) AS score_without, grade
  FROM scans WHERE node_id = $1 AND kind = 'scan' AND finished_at >= $2 AND finished_at < $3 ORDER BY finished_at, pk`

export class PgEvidenceSource extends StoreEvidenceSource implements EvidenceSource {
  readonly #pool: PgPool

  constructor(pool: PgPool, manual: ManualEvidenceStore, audit: AuditLog) {
    super(manual, audit)
    this.#pool = pool
  }

  async #nodes(labels: Record<string, string>): Promise<EvidenceNode[]> {
    const { rows } = await this.#pool.query<{ id: string; hostname: string; labels: string }>('SELECT id, hostname, labels FROM nodes ORDER BY id')
    return nodesWithLabels(rows, labels)
  }

  async #scans(node: EvidenceNode, from: string, to: string): Promise<{ row: ScanRow; scan: EvidenceScan }[]> {
    const { rows } = await this.#pool.query<ScanRow>(scansSql, [node.id, from, to])
    return rows.map((row) => ({ row, scan: toEvidenceScan(row, node) }))
  }

  async *scanBatches(window: ExportWindow, labels: Record<string, string>): AsyncIterable<ScanWithFindings[]> {
    const [from, to] = [window.from.toISOString(), window.to.toISOString()]
    for (const node of await this.#nodes(labels)) {
      const scans = await this.#scans(node, from, to)
      if (scans.length === 0) continue
      const { rows } = await this.#pool.query<FindingRow & { scan_pk: number }>(
        `SELECT f.scan_pk, f.rule, f.target, f.domain, f.severity, f.status, f.message, f.evidence, f.waiver
         FROM findings f JOIN scans s ON s.pk = f.scan_pk
         WHERE s.node_id = $1 AND s.kind = 'scan' AND s.finished_at >= $2 AND s.finished_at < $3 ORDER BY f.scan_pk, f.rule, f.target`,
        [node.id, from, to],
      )
      const byScan = new Map<number, FindingRow[]>()
      for (const row of rows) (byScan.get(Number(row.scan_pk)) ?? byScan.set(Number(row.scan_pk), []).get(Number(row.scan_pk))!).push(row)
      yield scans.map(({ row, scan }) => ({ scan, findings: (byScan.get(Number(row.pk)) ?? []).map(toEvidenceFinding) }))
    }
  }

  async countScans(window: ExportWindow, labels: Record<string, string>): Promise<number> {
    const nodes = (await this.#nodes(labels)).map((n) => n.id)
    const { rows } = await this.#pool.query<{ n: number }>(
      "SELECT count(*) AS n FROM scans WHERE node_id = ANY($1::text[]) AND kind = 'scan' AND finished_at >= $2 AND finished_at < $3",
      [nodes, window.from.toISOString(), window.to.toISOString()],
    )
    return Number(rows[0]?.n ?? 0)
  }

  async gathererReads(window: ExportWindow, labels: Record<string, string>): Promise<GathererReads[][]> {
    const nodes = (await this.#nodes(labels)).map((n) => n.id)
    const { rows } = await this.#pool.query<{ reads: string }>(
      `SELECT DISTINCT rs.reads FROM scans s JOIN scan_reads sr ON sr.scan_pk = s.pk JOIN read_sets rs ON rs.digest = sr.digest
       WHERE s.node_id = ANY($1::text[]) AND s.kind = 'scan' AND s.finished_at >= $2 AND s.finished_at < $3`,
      [nodes, window.from.toISOString(), window.to.toISOString()],
    )
    return rows.map((r) => z.array(gathererReadsSchema).parse(JSON.parse(r.reads)))
  }

  async *scanList(window: ExportWindow, labels: Record<string, string>): AsyncIterable<EvidenceScan[]> {
    const [from, to] = [window.from.toISOString(), window.to.toISOString()]
    for (const node of await this.#nodes(labels)) {
      const scans = await this.#scans(node, from, to)
      if (scans.length > 0) yield scans.map((s) => s.scan)
    }
  }

  async waivers(): Promise<Waiver[]> {
    return (await this.#pool.query<{ spec: string }>('SELECT spec FROM waivers ORDER BY id')).rows.map((r) => waiverSchema.parse(JSON.parse(r.spec)))
  }

  async priorFailingSince(nodeId: string, rule: string, target: string): Promise<string | null> {
    const { rows } = await this.#pool.query<{ failing_since: string | null }>(
      "SELECT failing_since FROM finding_lifecycle WHERE node_id = $1 AND rule = $2 AND target = $3 AND state = 'open'",
      [nodeId, rule, target],
    )
    return rows[0]?.failing_since ?? null
  }
}
