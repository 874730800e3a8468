import { pgAdvisoryLocks } from '../store/pg/pg-advisory-locks.js'
import type { PgPool } from '../store/pg/pg-pool.js'
import { withPgTransaction } from '../store/pg/pg-transaction.js'

/**
 * The cluster's own rows in PostgreSQL: which collectors are alive, where each agent is
 * connected, the leader lease and once-only claims. Runtime coordination state, not the
 * collector's data: not in the store's numbered migrations (which mirror SQLite's), not
 * copied by `posture collector migrate`, created on start if missing (idempotent, under
 * the migrations advisory lock so that two collectors starting at once do not race).
 * `cluster_shared_files`: the fingerprints of the files every collector must share (TLS
 * certificate, evidence signing key) as the first collector had them (shared-files-check.ts).
 * Times are the server's `now()`, so collectors' clocks need not agree.
 */
export const pgClusterSql = `
CREATE TABLE IF NOT EXISTS cluster_members (
  id text COLLATE "C" PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS cluster_agent_presence (
  agent_id text COLLATE "C" PRIMARY KEY,
  collector_id text COLLATE "C" NOT NULL,
  connected_at bigint NOT NULL,
  last_report_at bigint,
  interval_ms bigint
);
CREATE INDEX IF NOT EXISTS cluster_agent_presence_collector ON cluster_agent_presence(collector_id);
CREATE TABLE IF NOT EXISTS cluster_leases (
  name text COLLATE "C" PRIMARY KEY,
  holder text COLLATE "C" NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS cluster_claims (
  name text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  holder text COLLATE "C" NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, key)
);
CREATE TABLE IF NOT EXISTS cluster_shared_files (
  name text COLLATE "C" PRIMARY KEY,
  fingerprint text NOT NULL,
  collector_id text NOT NULL,
  host text NOT NULL,
  paths text[] NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
`

export const pgClusterTables = ['cluster_members', 'cluster_agent_presence', 'cluster_leases', 'cluster_claims', 'cluster_shared_files'] as const

export async function ensurePgClusterSchema(pool: PgPool): Promise<void> {
  await withPgTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [pgAdvisoryLocks.migrations])
    await client.query(pgClusterSql)
  })
}
