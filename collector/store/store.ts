import type { FactErrors, Facts } from '../../rules/facts/facts.js'
import type { Finding, Status } from '../../rules/finding.js'
import type { Report } from '../../rules/report.js'
import type { Grade, ScoreSummary } from '../../rules/scoring.js'
import type { Severity } from '../../rules/severity.js'
import type { Waiver } from '../../rules/waivers.js'
import type { LifecycleState } from './lifecycle.js'

/**
 * What the collector needs from its database, as one interface: SQLite (sqlite-store.ts)
 * is the embedded default; PostgreSQL (issue 14) implements the same. Methods are async
 * so that a networked database fits; the SQLite implementation runs each one as a
 * synchronous transaction and never awaits inside it.
 */
export type Role = 'admin' | 'operator' | 'auditor'
export const roles: readonly Role[] = ['admin', 'operator', 'auditor']
export type Labels = Record<string, string>

export interface EnrollmentTokenRow { id: string; secretHash: string; labels: Labels; createdAt: string; expiresAt: string }
export interface AgentRow {
  id: string
  secretHash: string
  labels: Labels
  hostname: string
  agentVersion: string
  enrolledAt: string
  revokedAt: string | null
  lastSeen: string | null
  intervalMs: number | null
}
export interface ApiTokenRow { id: string; secretHash: string; role: Role; name: string; createdAt: string; revokedAt: string | null }
export interface UserRow { id: number; username: string; role: Role; passwordHash: string; mustChangePassword: boolean; createdAt: string }

export type EnrollOutcome = { ok: true; labels: Labels } | { ok: false; reason: 'unknown' | 'used' | 'expired' }

/** One report to store: an agent's scan, or the collector's re-evaluation of stored facts. */
export interface IngestItem {
  kind: 'scan' | 'rescore'
  agentId: string | null
  seq: number | null
  /** Final findings and score (waivers applied, collector's rules where it re-evaluated). */
  report: Report
  /** The rules version the agent evaluated with, when the collector re-evaluated. */
  agentRulesVersion: string | null
  /** `${rulesVersion}|${waiversVersion}`: what the node's current score was computed with. */
  scoredWith: string
  receivedAt: Date
  /** The node's labels (the agent's enrollment labels). */
  labels: Labels
  agentVersion: string | null
}
export type IngestResult = { status: 'stored'; scanPk: number } | { status: 'duplicate' } | { status: 'failed'; error: string }

export interface NodeSummary {
  id: string
  hostname: string
  os: string | null
  labels: Labels
  score: number | null
  grade: Grade | null
  coverage: number | null
  domainScores: Record<string, Pick<ScoreSummary, 'score' | 'grade' | 'coverage'>>
  lastSeen: string
  lastScanAt: string | null
  agentId: string | null
  agentVersion: string | null
  agentIntervalMs: number | null
  offlineSince: string | null
  scoredWith: string | null
}

export interface ScanSummary {
  scanId: string
  kind: 'scan' | 'rescore'
  receivedAt: string
  startedAt: string
  finishedAt: string
  rulesVersion: string
  score: number | null
  grade: Grade | null
  coverage: number | null
  counts: ScoreSummary['counts']
}

export interface FindingFilter {
  status?: Status | undefined
  severity?: Severity | undefined
  domain?: string | undefined
  rule?: string | undefined
  node?: string | undefined
  /** Only open failures past their SLA due date at `now`. */
  overdueAt?: Date | undefined
  limit: number
  offset: number
}

export interface LifecycleView {
  state: LifecycleState | null
  firstSeen: string | null
  failingSince: string | null
  slaDue: string | null
  resolvedAt: string | null
  reopenedCount: number
}

export type NodeFinding = Finding & { lifecycle: LifecycleView }
export type FleetFinding = NodeFinding & { node: { id: string; hostname: string } }

/** What re-scoring needs of a node: its latest facts and who it is. */
export interface NodeFacts {
  nodeId: string
  labels: Labels
  agentId: string | null
  agentVersion: string | null
  latest: Report
}

export interface Store {
  close(): void

  getSetting(key: string): Promise<string | null>
  setSetting(key: string, value: string): Promise<void>

  createEnrollmentToken(row: EnrollmentTokenRow): Promise<void>
  /** Spends the token (if it matches and is live) and creates the agent, in one transaction. */
  enrollAgent(tokenId: string, matches: (secretHash: string) => boolean, agent: Omit<AgentRow, 'labels' | 'revokedAt' | 'lastSeen' | 'intervalMs'>, now: Date): Promise<EnrollOutcome>
  findAgent(id: string): Promise<AgentRow | null>
  listAgents(): Promise<AgentRow[]>
  revokeAgent(id: string, now: Date): Promise<boolean>
  /** Agents revoked at or after `since` (the collector closes their connections). */
  revokedAgentsSince(since: string): Promise<string[]>
  touchAgent(id: string, seen: { lastSeen: string; agentVersion?: string; hostname?: string; intervalMs?: number }): Promise<void>
  /** Many touches in one transaction (the gateway buffers them: one commit, not one per connection). */
  touchAgents(touches: ReadonlyMap<string, { lastSeen: string; agentVersion?: string; hostname?: string; intervalMs?: number }>): Promise<void>

  createApiToken(row: ApiTokenRow): Promise<void>
  findApiToken(id: string): Promise<ApiTokenRow | null>

  createUser(row: Omit<UserRow, 'id'>): Promise<number>
  findUser(username: string): Promise<UserRow | null>

  /** Stores reports, each idempotent on scanId, in one transaction (a savepoint per item). */
  ingest(items: readonly IngestItem[]): Promise<IngestResult[]>
  setNodeOffline(nodeId: string, since: string | null): Promise<void>

  listNodes(): Promise<NodeSummary[]>
  getNode(id: string): Promise<NodeSummary | null>
  latestReport(nodeId: string): Promise<Report | null>
  nodeFindings(nodeId: string, filter: FindingFilter): Promise<NodeFinding[]>
  nodeHistory(nodeId: string, limit: number): Promise<ScanSummary[]>
  fleetFindings(filter: FindingFilter): Promise<FleetFinding[]>
  /** Nodes whose current score was not computed with `scoredWith`, with their latest facts. */
  nodesToRescore(scoredWith: string, limit: number): Promise<NodeFacts[]>

  listWaivers(): Promise<Waiver[]>
  putWaiver(waiver: Waiver, now: Date): Promise<void>
  deleteWaiver(id: string): Promise<boolean>

  /**
   * An online copy of the whole database at `path` (SQLite backup API). Aborting `signal`
   * stops the copy between steps: the promise rejects and the new file is removed.
   */
  backup(path: string, options?: { signal?: AbortSignal }): Promise<void>
}

export type { Facts, FactErrors }
