import type { ScoringPolicy } from '../../rules/scoring.js'
import { SqliteAlerts } from '../alerts/sqlite-alerts.js'
import { SqliteAuditLog } from '../audit/sqlite-audit-log.js'
import { SqliteAccounts } from '../auth/sqlite-accounts.js'
import { SqliteApiTokens } from '../auth/sqlite-api-tokens.js'
import { SqliteLoginCounters } from '../auth/sqlite-login-counters.js'
import { SqliteEvidenceSource } from '../evidence/sqlite-evidence-source.js'
import { SqliteManualEvidence } from '../evidence/sqlite-manual-evidence.js'
import { SqliteSchedules } from '../schedule/sqlite-schedules.js'
import { SqliteSshNodes } from '../ssh/sqlite-ssh-nodes.js'
import { SqliteWaivers } from '../waivers/sqlite-waivers.js'
import type { Backend } from './backend.js'
import { sqliteDashboardQueries } from './sqlite-dashboard-queries.js'
import type { SqliteStore } from './sqlite-store.js'

export type SqliteBackend = Backend & { kind: 'sqlite'; store: SqliteStore }

/**
 * The whole set over one open SQLite store. `dataDir` holds manual evidence files beside
 * the database; `clock` stamps audit rows.
 */
export function sqliteBackend(store: SqliteStore, options: { dataDir: string; policy: ScoringPolicy; clock?: () => Date }): SqliteBackend {
  const db = store.db
  const clock = options.clock ?? (() => new Date())
  const audit = new SqliteAuditLog(db, clock)
  const manualEvidence = new SqliteManualEvidence(db, options.dataDir)
  return {
    kind: 'sqlite',
    store,
    accounts: new SqliteAccounts(db),
    apiTokens: new SqliteApiTokens(db),
    loginCounters: new SqliteLoginCounters(db),
    audit,
    waivers: new SqliteWaivers(db),
    schedules: new SqliteSchedules(db),
    sshNodes: new SqliteSshNodes(db),
    alerts: new SqliteAlerts(db),
    manualEvidence,
    evidence: new SqliteEvidenceSource(db, manualEvidence, audit),
    dashboard: sqliteDashboardQueries(db, options.policy),
    auditWithClock: (other) => new SqliteAuditLog(db, other),
    async close() {
      store.close()
    },
  }
}
