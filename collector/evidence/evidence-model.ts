import type { Controls, Status } from '../../rules/finding.js'
import type { Grade } from '../../rules/scoring.js'
import type { Severity } from '../../rules/severity.js'
import type { Waiver } from '../../rules/waivers.js'

/**
 * The values an evidence export is made of, between the data source (the collector's
 * store) and the files (JSON, CSV, HTML, PDF). Plain data, no behaviour.
 */
export interface ExportWindow {
  from: Date
  to: Date
}

export interface EvidenceScan {
  scanId: string
  nodeId: string
  hostname: string
  labels: Record<string, string>
  startedAt: string
  finishedAt: string
  rulesVersion: string
  postureVersion: string
  source: string
  score: number | null
  scoreWithoutWaivers: number | null
  grade: Grade | null
}

export interface EvidenceFinding {
  rule: string
  target: string
  domain: string
  severity: Severity
  status: Status
  message: string
  evidence: unknown
  /** The evidence as stored JSON text, when the source has it: written as is, never re-parsed. */
  evidenceJson?: string | null
  waiver: { id: string; justification: string; approver: string; expires: string; waivedStatus: 'pass' | 'fail' | 'error' } | null
}

/** Rule data the export needs beside findings: title, remediation, mappings, how it checks. */
export interface RuleInfo {
  id: string
  title: string
  domain: string
  severity: Severity
  remediation: string
  controls: Controls
  check: string | null
  forEach: string | null
  /** Dotted fact paths the rule reads. */
  reads: string[]
}

export type RemediationStatus = 'open' | 'overdue' | 'resolved' | 'waived' | 'expired-waiver'

export interface ControlFailure {
  nodeId: string
  hostname: string
  rule: string
  target: string
  severity: Severity
  /** Status at the end of the window. */
  status: Status
  /** Start of the failure that is open at the end of the window (or was last open). */
  failingSince: string | null
  /** True when the failure was already open at the node's first scan in the window. */
  failingBeforeWindow: boolean
  slaDue: string | null
  resolvedAt: string | null
  remediation: RemediationStatus
  failedScans: number
  waiver: { id: string; approver: string; justification: string; expires: string } | null
  expiredWaiver: { id: string; expired: string } | null
  message: string
}

export interface ControlResult {
  framework: string
  control: string
  title: string
  family: string
  automated: boolean
  rules: string[]
  nodesEvaluated: number
  nodesPassing: number
  nodesFailing: number
  nodesWaived: number
  nodesError: number
  checks: Record<Status, number>
  scoreWithWaivers: number | null
  scoreWithoutWaivers: number | null
  /** Earliest start among failures still open at the end of the window. */
  failingSince: string | null
  openFailures: number
  overdueFailures: number
  earliestSlaDue: string | null
  /** Pass, fail, waived, error, no data (automated but nothing evaluated), or manual. */
  verdict: 'pass' | 'fail' | 'waived' | 'error' | 'no-data' | 'manual'
  failures: ControlFailure[]
  manualEvidence: number
}

export interface WaiverRecord extends Omit<Waiver, 'created'> {
  /** Null when the waiver was removed since: it is known only from the findings it waived. */
  created: string | null
  /** Removed from the collector since; shown as the waived findings recorded it. */
  removed: boolean
  /** Expired before the end of the window. */
  expiredInWindow: boolean
  /** Findings it waived in the window. */
  findingsWaived: number
}

export interface ManualEvidence {
  id: string
  framework: string
  control: string
  fileName: string
  sha256: string
  bytes: number
  mediaType: string
  note: string
  addedBy: string
  addedAt: string
}

export interface FleetSummary {
  nodes: number
  scans: number
  findings: number
  checks: Record<Status, number>
  /** Mean of each node's score at the end of the window. */
  scoreWithWaivers: number | null
  scoreWithoutWaivers: number | null
  controlsTotal: number
  controlsAutomated: number
  controlsPassing: number
  controlsFailing: number
}
