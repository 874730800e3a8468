import { alertsSql } from '../alerts/alert-schema.js'
import { auditLogSql } from '../audit/audit-schema.js'
import { authSql } from '../auth/auth-schema.js'
import { dashboardReadModelSql } from './dashboard-schema.js'
import { explorerReadModelSql } from './explorer-schema.js'
import { loginFailuresSql } from '../auth/login-failures-schema.js'
import { scheduleRunOwnerSql, scheduleSql } from '../schedule/schedule-schema.js'
import { sshSql } from '../ssh/ssh-schema.js'
import { manualEvidenceSql } from '../evidence/evidence-schema.js'
import { scanReadsSql } from '../evidence/scan-reads-schema.js'
import { ingestReadModelSql } from './ingest-schema.js'

/**
 * The collector's schema, as numbered migrations tracked by SQLite's `user_version`
 * (STYLE.md, SQLite). Append only: a released migration is never edited, a change is a
 * new entry. STRICT tables; JSON columns hold values already validated at the boundary.
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'collector core: credentials, nodes, scans, findings, lifecycle, users',
    sql: `
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

CREATE TABLE enrollment_tokens (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  labels TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  agent_id TEXT
) STRICT;

CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  labels TEXT NOT NULL,
  hostname TEXT NOT NULL,
  agent_version TEXT NOT NULL,
  enrolled_at TEXT NOT NULL,
  revoked_at TEXT,
  last_seen TEXT,
  interval_ms INTEGER
) STRICT;
CREATE INDEX agents_revoked ON agents(revoked_at) WHERE revoked_at IS NOT NULL;

CREATE TABLE nodes (
  id TEXT PRIMARY KEY,
  hostname TEXT NOT NULL,
  os TEXT,
  kernel TEXT,
  arch TEXT,
  labels TEXT NOT NULL DEFAULT '{}',
  agent_id TEXT REFERENCES agents(id),
  agent_version TEXT,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  last_scan_pk INTEGER,
  last_scan_at TEXT,
  scored_with TEXT,
  score REAL,
  grade TEXT,
  coverage REAL,
  domain_scores TEXT NOT NULL DEFAULT '{}',
  offline_since TEXT
) STRICT;

CREATE TABLE rule_meta (
  rule TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  remediation TEXT NOT NULL,
  controls TEXT NOT NULL
) STRICT;

CREATE TABLE scans (
  pk INTEGER PRIMARY KEY,
  scan_id TEXT NOT NULL UNIQUE,
  node_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  agent_id TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('scan', 'rescore')),
  seq INTEGER,
  source TEXT NOT NULL,
  posture_version TEXT NOT NULL,
  rules_version TEXT NOT NULL,
  agent_rules_version TEXT,
  domains TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  score REAL,
  grade TEXT,
  coverage REAL,
  score_json TEXT NOT NULL,
  facts TEXT,
  fact_errors TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX scans_node_received ON scans(node_id, pk);

CREATE TABLE findings (
  scan_pk INTEGER NOT NULL REFERENCES scans(pk) ON DELETE CASCADE,
  rule TEXT NOT NULL,
  target TEXT NOT NULL,
  domain TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  message TEXT NOT NULL,
  evidence TEXT,
  waiver TEXT,
  PRIMARY KEY (scan_pk, rule, target)
) STRICT, WITHOUT ROWID;

CREATE TABLE finding_lifecycle (
  node_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  rule TEXT NOT NULL,
  target TEXT NOT NULL,
  domain TEXT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('passing', 'open', 'resolved')),
  last_status TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_changed TEXT NOT NULL,
  failing_since TEXT,
  sla_due TEXT,
  resolved_at TEXT,
  reopened_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (node_id, rule, target)
) STRICT, WITHOUT ROWID;
CREATE INDEX lifecycle_state ON finding_lifecycle(state, severity);

CREATE TABLE waivers (id TEXT PRIMARY KEY, spec TEXT NOT NULL, created_at TEXT NOT NULL) STRICT;

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 1,
  totp_secret TEXT,
  created_at TEXT NOT NULL,
  disabled_at TEXT
) STRICT;

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  last_used TEXT
) STRICT;
`,
  },
  { version: 2, name: 'dashboard: sessions, TOTP, recovery codes, audit log, daily scores, read-model indexes', sql: authSql + auditLogSql + dashboardReadModelSql },
  { version: 3, name: 'scheduled scans and run history, agentless SSH nodes and pinned host keys', sql: scheduleSql + sshSql },
  { version: 4, name: 'evidence: manual evidence attached to framework controls', sql: manualEvidenceSql },
  { version: 5, name: 'alerts: webhook destinations, outbox, delivery log, fired conditions, certificate expiries', sql: alertsSql },
  { version: 6, name: 'dashboard read model: node labels, explorer sort indexes; login limiter counters', sql: explorerReadModelSql + loginFailuresSql },
  { version: 7, name: 'evidence: what each scan read (gatherer reads, each distinct set stored once)', sql: scanReadsSql },
  { version: 8, name: 'schedules: the collector that runs each run (owner)', sql: scheduleRunOwnerSql },
  { version: 9, name: 'ingest: partial lifecycle indexes for open and resolved rows; lifecycle digest per node', sql: ingestReadModelSql },
]
