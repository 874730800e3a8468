import { z } from 'zod'
import { controlsSchema, waiverRefSchema, type Finding, type Status } from '../../rules/finding.js'
import type { Domain } from '../../rules/domains.js'
import { factErrorsSchema } from '../../rules/facts/facts.js'
import { reportSchemaId, type Report } from '../../rules/report.js'
import { nodeScoreSchema, type Grade } from '../../rules/scoring.js'
import type { Severity } from '../../rules/severity.js'
import type { Lifecycle, LifecycleState } from './lifecycle.js'
import type { AgentRow, FleetFinding, LifecycleView, NodeFinding, NodeSummary, ScanSummary } from './store.js'

/**
 * Rows → API values, for both backends (sqlite-queries.ts, pg/pg-queries.ts select the same
 * columns under the same names). JSON columns were validated before they were written; they
 * are parsed again with the same schemas so a damaged row is an error with a name, never a
 * silently wrong value.
 */
export const labelsSchema = z.record(z.string(), z.string())
export const domainScoresSchema = z.record(z.string(), z.object({ score: z.number().nullable(), grade: z.string().nullable(), coverage: z.number().nullable() }))

export interface NodeRow {
  id: string
  hostname: string
  os: string | null
  labels: string
  score: number | null
  grade: Grade | null
  coverage: number | null
  domain_scores: string
  last_seen: string
  last_scan_at: string | null
  agent_id: string | null
  agent_version: string | null
  offline_since: string | null
  scored_with: string | null
  interval_ms: number | null
}

export function toNodeSummary(row: NodeRow): NodeSummary {
  return {
    id: row.id,
    hostname: row.hostname,
    os: row.os,
    labels: labelsSchema.parse(JSON.parse(row.labels)),
    score: row.score,
    grade: row.grade,
    coverage: row.coverage,
    domainScores: domainScoresSchema.parse(JSON.parse(row.domain_scores)) as NodeSummary['domainScores'],
    lastSeen: row.last_seen,
    lastScanAt: row.last_scan_at,
    agentId: row.agent_id,
    agentVersion: row.agent_version,
    agentIntervalMs: row.interval_ms,
    offlineSince: row.offline_since,
    scoredWith: row.scored_with,
  }
}

export interface ScanRow {
  pk: number
  scan_id: string
  node_id: string
  hostname: string
  os: string | null
  kernel: string | null
  arch: string | null
  source: string
  posture_version: string
  rules_version: string
  domains: string
  started_at: string
  finished_at: string
  score_json: string
  facts: string | null
  fact_errors: string
}

export interface HistoryRow {
  scan_id: string
  kind: 'scan' | 'rescore'
  received_at: string
  started_at: string
  finished_at: string
  rules_version: string
  score: number | null
  grade: Grade | null
  coverage: number | null
  score_json: string
}

export function toScanSummary(row: HistoryRow): ScanSummary {
  return {
    scanId: row.scan_id,
    kind: row.kind,
    receivedAt: row.received_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    rulesVersion: row.rules_version,
    score: row.score,
    grade: row.grade,
    coverage: row.coverage,
    counts: nodeScoreSchema.parse(JSON.parse(row.score_json)).counts,
  }
}

export interface FindingRow {
  rule: string
  target: string
  domain: Domain
  severity: Severity
  status: Status
  message: string
  evidence: string | null
  waiver: string | null
  title: string | null
  remediation: string | null
  controls: string | null
  state: LifecycleState | null
  first_seen: string | null
  failing_since: string | null
  sla_due: string | null
  resolved_at: string | null
  reopened_count: number
}

export function toNodeFinding(row: FindingRow): NodeFinding {
  const lifecycle: LifecycleView = {
    state: row.state,
    firstSeen: row.first_seen,
    failingSince: row.failing_since,
    slaDue: row.sla_due,
    resolvedAt: row.resolved_at,
    reopenedCount: row.reopened_count,
  }
  const finding: Finding = {
    rule: row.rule,
    domain: row.domain,
    severity: row.severity,
    status: row.status,
    target: row.target,
    title: row.title ?? row.rule,
    message: row.message,
    evidence: row.evidence === null ? null : JSON.parse(row.evidence),
    remediation: row.remediation ?? '',
    controls: row.controls === null ? {} : controlsSchema.parse(JSON.parse(row.controls)),
  }
  if (row.waiver !== null) finding.waiver = waiverRefSchema.parse(JSON.parse(row.waiver))
  return { ...finding, lifecycle }
}

/** A finding row with its node; the explorer reads the message from a LEFT JOIN, so it may be NULL. */
export interface FleetFindingRow extends Omit<FindingRow, 'message'> {
  message: string | null
  node_id: string
  hostname: string
}

export function toFleetFinding(row: FleetFindingRow): FleetFinding {
  const finding = toNodeFinding({ ...row, message: row.message ?? '', reopened_count: Number(row.reopened_count) })
  return { ...finding, node: { id: row.node_id, hostname: row.hostname } }
}

export interface LifecycleRow {
  node_id: string
  rule: string
  target: string
  domain: string
  severity: Severity
  state: LifecycleState
  last_status: Status | 'gone'
  first_seen: string
  last_changed: string
  failing_since: string | null
  sla_due: string | null
  resolved_at: string | null
  reopened_count: number
}

export function lifecycleFromRow(row: LifecycleRow): Lifecycle & { domain: string } {
  return {
    domain: row.domain,
    state: row.state,
    severity: row.severity,
    lastStatus: row.last_status,
    firstSeen: row.first_seen,
    lastChanged: row.last_changed,
    failingSince: row.failing_since,
    slaDue: row.sla_due,
    resolvedAt: row.resolved_at,
    reopenedCount: row.reopened_count,
  }
}

export interface AgentDbRow {
  id: string
  secret_hash: string
  labels: string
  hostname: string
  agent_version: string
  enrolled_at: string
  revoked_at: string | null
  last_seen: string | null
  interval_ms: number | null
}

export function toAgent(row: AgentDbRow): AgentRow {
  return {
    id: row.id,
    secretHash: row.secret_hash,
    labels: labelsSchema.parse(JSON.parse(row.labels)),
    hostname: row.hostname,
    agentVersion: row.agent_version,
    enrolledAt: row.enrolled_at,
    revokedAt: row.revoked_at,
    lastSeen: row.last_seen,
    intervalMs: row.interval_ms,
  }
}

/** A stored scan and its findings as the `posture.report/v1` document the agent sent. */
export function toReport(scan: ScanRow, findingRows: readonly FindingRow[]): Report {
  const findings = findingRows.map((row) => {
    const { lifecycle: _unused, ...finding } = toNodeFinding(row)
    return finding
  })
  return {
    schema: reportSchemaId,
    scanId: scan.scan_id,
    node: { id: scan.node_id, hostname: scan.hostname, os: scan.os, kernel: scan.kernel, arch: scan.arch },
    source: scan.source,
    postureVersion: scan.posture_version,
    rulesVersion: scan.rules_version,
    domains: z.array(z.string()).parse(JSON.parse(scan.domains)),
    startedAt: scan.started_at,
    finishedAt: scan.finished_at,
    score: nodeScoreSchema.parse(JSON.parse(scan.score_json)),
    findings,
    // Facts were parsed with the fact schema on the way in; the report type carries them as they are.
    facts: JSON.parse(scan.facts ?? '{}') as Report['facts'],
    factErrors: factErrorsSchema.parse(JSON.parse(scan.fact_errors)),
  }
}
