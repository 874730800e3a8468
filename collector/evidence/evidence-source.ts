import type { AuditEntry, ChainVerdict } from '../audit/audit-chain.js'
import type { GathererReads } from '../../rules/report.js'
import type { Waiver } from '../../rules/waivers.js'
import type { RetentionHorizon } from '../store/sqlite-retention.js'
import type { EvidenceFinding, EvidenceScan, ExportWindow, ManualEvidence } from './evidence-model.js'

/**
 * Where an export reads from: the collector's store (sqlite-evidence-source.ts) or, in
 * tests, plain values. Scans come in batches, in time order per node, so that a year of
 * scans streams through.
 */
export interface ScanWithFindings {
  scan: EvidenceScan
  findings: EvidenceFinding[]
}

export interface EvidenceSource {
  /** Agent and SSH scans (not re-scores) that finished in [from, to), on nodes matching every label. */
  scanBatches(window: ExportWindow, labels: Record<string, string>): AsyncIterable<ScanWithFindings[]>
  /** How many scans `scanBatches` will yield (export progress); optional. */
  countScans?(window: ExportWindow, labels: Record<string, string>): Promise<number>
  /** What the gatherers read in those scans (reports that carry `reads`), one entry per distinct set; optional. */
  gathererReads?(window: ExportWindow, labels: Record<string, string>): Promise<GathererReads[][]>
  /** The same scans without findings, for scans.csv. */
  scanList(window: ExportWindow, labels: Record<string, string>): AsyncIterable<EvidenceScan[]>
  waivers(): Promise<Waiver[]>
  manualEvidence(framework: string): Promise<ManualEvidence[]>
  /** The attached file's bytes. */
  manualEvidenceContent(item: ManualEvidence): AsyncIterable<Buffer>
  /** Audit-log rows with `at` in [from, to), oldest first. */
  auditEntries(window: ExportWindow): AsyncIterable<AuditEntry>
  /** The whole audit chain, verified now. */
  verifyAuditChain(): Promise<ChainVerdict>
  /** When a failure open before the window began (the finding lifecycle), if known. */
  priorFailingSince(nodeId: string, rule: string, target: string): Promise<string | null>
  /** What history retention has pruned (collector config `retention`); absent: nothing is pruned. */
  retention?(): Promise<RetentionHorizon>
}
