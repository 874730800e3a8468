import { severitySchema } from '../../rules/severity.js'
import { statusSchema, waiverRefSchema } from '../../rules/finding.js'
import { gradeSchema } from '../../rules/scoring.js'
import { labelsSchema } from '../store/store-rows.js'
import type { EvidenceFinding, EvidenceScan } from './evidence-model.js'

/**
 * Rows → evidence values, for both store-backed evidence sources (sqlite-evidence-source.ts,
 * pg-evidence-source.ts select the same columns under the same names).
 */
export interface EvidenceNode {
  id: string
  hostname: string
  labels: Record<string, string>
}

export interface ScanRow {
  pk: number
  scan_id: string
  node_id: string
  started_at: string
  finished_at: string
  rules_version: string
  posture_version: string
  source: string
  score: number | null
  score_without: number | null
  grade: string | null
}

export interface FindingRow {
  rule: string
  target: string
  domain: string
  severity: string
  status: string
  message: string
  evidence: string | null
  waiver: string | null
}

/** The nodes carrying every one of `labels`, from `SELECT id, hostname, labels FROM nodes`. */
export function nodesWithLabels(rows: readonly { id: string; hostname: string; labels: string }[], labels: Record<string, string>): EvidenceNode[] {
  return rows
    .map((n) => ({ id: n.id, hostname: n.hostname, labels: labelsSchema.parse(JSON.parse(n.labels)) }))
    .filter((n) => Object.entries(labels).every(([k, v]) => n.labels[k] === v))
}

export function toEvidenceScan(row: ScanRow, node: EvidenceNode): EvidenceScan {
  return {
    scanId: row.scan_id, nodeId: row.node_id, hostname: node.hostname, labels: node.labels, startedAt: row.started_at, finishedAt: row.finished_at,
    rulesVersion: row.rules_version, postureVersion: row.posture_version, source: row.source, score: row.score, scoreWithoutWaivers: row.score_without,
    grade: row.grade === null ? null : gradeSchema.parse(row.grade),
  }
}

// Set lookups rather than a schema parse per row: millions of rows go through here.
const severities = new Set<string>(severitySchema.options)
const statuses = new Set<string>(statusSchema.options)

export function toEvidenceFinding(row: FindingRow): EvidenceFinding {
  if (!severities.has(row.severity) || !statuses.has(row.status)) throw new Error(`finding ${row.rule}: unknown severity ${row.severity} or status ${row.status}`)
  return {
    rule: row.rule,
    target: row.target,
    domain: row.domain,
    severity: row.severity as EvidenceFinding['severity'],
    status: row.status as EvidenceFinding['status'],
    message: row.message,
    evidence: null,
    // Stored by the ingest as JSON.stringify output: written into findings.jsonl as is.
    evidenceJson: row.evidence,
    waiver: row.waiver === null ? null : waiverRefSchema.parse(JSON.parse(row.waiver)),
  }
}
