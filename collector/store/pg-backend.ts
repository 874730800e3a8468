import type { ScoringPolicy } from '../../rules/scoring.js'
import { PgAlerts } from '../alerts/pg-alerts.js'
import { PgAuditLog } from '../audit/pg-audit-log.js'
import { PgAccounts } from '../auth/pg-accounts.js'
import { PgApiTokens } from '../auth/pg-api-tokens.js'
import { PgLoginCounters } from '../auth/pg-login-counters.js'
import { PgEvidenceSource } from '../evidence/pg-evidence-source.js'
import { PgManualEvidence } from '../evidence/pg-manual-evidence.js'
import { PgSchedules } from '../schedule/pg-schedules.js'
import { PgSshNodes } from '../ssh/pg-ssh-nodes.js'
import { PgWaivers } from '../waivers/pg-waivers.js'
import type { Backend } from './backend.js'
import { pgDashboardQueries } from './pg-dashboard-queries.js'
import type { PgStore } from './pg/pg-store.js'

export type PgBackend = Backend & { kind: 'postgres'; store: PgStore }

/** The whole set on PostgreSQL, sharing the store's pool; `clock` stamps audit rows. Closing it ends the pool. */
export function pgBackend(store: PgStore, options: { policy: ScoringPolicy; clock?: () => Date }): PgBackend {
  const pool = store.pool
  const clock = options.clock ?? (() => new Date())
  const audit = new PgAuditLog(pool, clock)
  const manualEvidence = new PgManualEvidence(pool)
  return {
    kind: 'postgres',
    store,
    accounts: new PgAccounts(pool),
    apiTokens: new PgApiTokens(pool),
    loginCounters: new PgLoginCounters(pool),
    audit,
    waivers: new PgWaivers(pool),
    schedules: new PgSchedules(pool),
    sshNodes: new PgSshNodes(pool),
    alerts: new PgAlerts(pool),
    manualEvidence,
    evidence: new PgEvidenceSource(pool, manualEvidence, audit),
    dashboard: pgDashboardQueries(pool, options.policy),
    auditWithClock: (other) => new PgAuditLog(pool, other),
    close: () => store.end(),
  }
}
