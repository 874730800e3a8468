import type { AlertStore } from '../alerts/alert-store.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { AccountStore } from '../auth/accounts.js'
import type { ApiTokenStore } from '../auth/api-tokens.js'
import type { LoginCounters } from '../auth/login-limiter.js'
import type { EvidenceSource } from '../evidence/evidence-source.js'
import type { ManualEvidenceStore } from '../evidence/manual-evidence-store.js'
import type { ScheduleStore } from '../schedule/schedule-store.js'
import type { SshNodeStore } from '../ssh/ssh-node-store.js'
import type { WaiverStore } from '../waivers/waiver-store.js'
import type { DashboardQueries } from './dashboard-queries.js'
import type { Store } from './store.js'

/**
 * Everything the collector keeps in its database, as one set of interfaces built for one
 * backend: SQLite (sqlite-backend.ts, the embedded default) or PostgreSQL (pg-backend.ts,
 * several collectors on one database). Plugins, routes and CLI commands are handed this,
 * never a database handle, so every feature works on both.
 */
export type BackendKind = 'sqlite' | 'postgres'

export interface Backend {
  kind: BackendKind
  store: Store
  accounts: AccountStore
  apiTokens: ApiTokenStore
  /** The login limiter's failure counters, shared by every collector on the database. */
  loginCounters: LoginCounters
  /** Appends with the backend's clock. */
  audit: AuditLog
  waivers: WaiverStore
  schedules: ScheduleStore
  sshNodes: SshNodeStore
  alerts: AlertStore
  manualEvidence: ManualEvidenceStore
  evidence: EvidenceSource
  dashboard: DashboardQueries
  /** The same backend's audit log with another clock (a test's, the dashboard's). */
  auditWithClock(clock: () => Date): AuditLog
  /** Closes the store (and the pool, on PostgreSQL). */
  close(): Promise<void>
}
