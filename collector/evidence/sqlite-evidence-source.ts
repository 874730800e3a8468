import { z } from 'zod'
import type { AuditLog } from '../audit/audit-log.js'
import { gathererReadsSchema, type GathererReads } from '../../rules/report.js'
import { waiverSchema, type Waiver } from '../../rules/waivers.js'
import type { Db } from '../store/sqlite-open.js'
import { prepareRetention, type RetentionHorizon } from '../store/sqlite-retention.js'
import type { EvidenceScan, ExportWindow } from './evidence-model.js'
import { nodesWithLabels, toEvidenceFinding, toEvidenceScan, type EvidenceNode, type FindingRow, type ScanRow } from './evidence-rows.js'
import type { EvidenceSource, ScanWithFindings } from './evidence-source.js'
import type { ManualEvidenceStore } from './manual-evidence-store.js'
import { StoreEvidenceSource } from './store-evidence-source.js'

/**
 * The evidence source over the collector's SQLite store. Reads node by node: a node's
 * scans in the window (agent and SSH scans, not re-scores), each with its findings, one
 * node per batch, so memory holds one node's window at a time. Parameterized SQL only.
 */
export class SqliteEvidenceSource extends StoreEvidenceSource implements EvidenceSource {
  readonly #retention: ReturnType<typeof prepareRetention>
  readonly #s

  constructor(db: Db, manual: ManualEvidenceStore, audit: AuditLog) {
    super(manual, audit)
    this.#retention = prepareRetention(db)
    this.#s = {
      nodes: db.prepare<[], { id: string; hostname: string; labels: string }>('SELECT id, hostname, labels FROM nodes ORDER BY id'),
      scans: db.prepare<[string, string, string], ScanRow>(`
        SELECT pk, scan_id, node_id, started_at, finished_at, rules_version, posture_version, source, score,
          json_extract(score_json, '$.scoreWithoutWaivers') AS score_without, grade
        FROM scans WHERE node_id = ? AND kind = 'scan' AND finished_at >= ? AND finished_at < ? ORDER BY finished_at, pk`),
      countScans: db.prepare<[string, string, string], { n: number }>("SELECT count(*) AS n FROM scans WHERE node_id = ? AND kind = 'scan' AND finished_at >= ? AND finished_at < ?"),
      readSets: db.prepare<[string, string, string], { reads: string }>(`
        SELECT DISTINCT rs.reads FROM scans s JOIN scan_reads sr ON sr.scan_pk = s.pk JOIN read_sets rs ON rs.digest = sr.digest
        WHERE s.node_id = ? AND s.kind = 'scan' AND s.finished_at >= ? AND s.finished_at < ?`),
      findings: db.prepare<[number], FindingRow>('SELECT rule, target, domain, severity, status, message, evidence, waiver FROM findings WHERE scan_pk = ? ORDER BY rule, target'),
      waivers: db.prepare<[], { spec: string }>('SELECT spec FROM waivers ORDER BY id'),
      prior: db.prepare<[string, string, string], { failing_since: string | null }>("SELECT failing_since FROM finding_lifecycle WHERE node_id = ? AND rule = ? AND target = ? AND state = 'open'"),
    }
  }

  #nodes(labels: Record<string, string>): EvidenceNode[] {
    return nodesWithLabels(this.#s.nodes.all(), labels)
  }

  async *scanBatches(window: ExportWindow, labels: Record<string, string>): AsyncIterable<ScanWithFindings[]> {
    const [from, to] = [window.from.toISOString(), window.to.toISOString()]
    for (const node of this.#nodes(labels)) {
      const batch = this.#s.scans.all(node.id, from, to).map((row) => ({ scan: toEvidenceScan(row, node), findings: this.#s.findings.all(row.pk).map(toEvidenceFinding) }))
      if (batch.length > 0) yield batch
    }
  }

  async countScans(window: ExportWindow, labels: Record<string, string>): Promise<number> {
    const [from, to] = [window.from.toISOString(), window.to.toISOString()]
    let total = 0
    for (const node of this.#nodes(labels)) total += this.#s.countScans.get(node.id, from, to)?.n ?? 0
    return total
  }

  async gathererReads(window: ExportWindow, labels: Record<string, string>): Promise<GathererReads[][]> {
    const [from, to] = [window.from.toISOString(), window.to.toISOString()]
    const seen = new Map<string, GathererReads[]>()
    for (const node of this.#nodes(labels)) {
      for (const row of this.#s.readSets.all(node.id, from, to)) if (!seen.has(row.reads)) seen.set(row.reads, z.array(gathererReadsSchema).parse(JSON.parse(row.reads)))
    }
    return [...seen.values()]
  }

  async *scanList(window: ExportWindow, labels: Record<string, string>): AsyncIterable<EvidenceScan[]> {
    const [from, to] = [window.from.toISOString(), window.to.toISOString()]
    for (const node of this.#nodes(labels)) {
      const scans = this.#s.scans.all(node.id, from, to).map((row) => toEvidenceScan(row, node))
      if (scans.length > 0) yield scans
    }
  }

  async waivers(): Promise<Waiver[]> {
    return this.#s.waivers.all().map((r) => waiverSchema.parse(JSON.parse(r.spec)))
  }

  async priorFailingSince(nodeId: string, rule: string, target: string): Promise<string | null> {
    return this.#s.prior.get(nodeId, rule, target)?.failing_since ?? null
  }

  async retention(): Promise<RetentionHorizon> {
    return this.#retention.horizon()
  }
}
