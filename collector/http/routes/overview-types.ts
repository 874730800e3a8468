import type { Grade } from '../../../rules/scoring.js'
import type { Severity } from '../../../rules/severity.js'

/** GET /api/overview?days=30|90: everything the fleet page shows, in one answer. */
export interface OverviewNode {
  id: string
  hostname: string
  score: number | null
  grade: Grade | null
  coverage: number | null
  lastSeen: string
  offlineSince: string | null
}

export interface OverviewFinding {
  nodeId: string
  hostname: string
  rule: string
  title: string
  target: string
  severity: Severity
  status: string
  message: string
  failingSince: string | null
  slaDue: string | null
  resolvedAt: string | null
}

export interface FleetOverview {
  generatedAt: string
  fleet: { score: number | null; grade: Grade | null; coverage: number | null; nodes: number; scoredNodes: number; offline: number }
  grades: Record<Grade | 'none', number>
  domains: { domain: string; score: number | null; grade: Grade | null; nodes: number }[]
  trend: { from: string; to: string; points: { day: string; score: number | null }[] }
  worstNodes: OverviewNode[]
  /** Open failures by severity, fleet-wide. */
  openFailures: Record<Severity, number>
  newFailures: OverviewFinding[]
  resolved: OverviewFinding[]
  offline: OverviewNode[]
  overdue: { count: number; items: OverviewFinding[] }
  /** Failing or soon-failing certificate findings (rules `tls.cert.*`). */
  certificates: OverviewFinding[]
}
