import { PostureError } from '../../../rules/posture-error.js'
import { pgAdvisoryLocks } from './pg-advisory-locks.js'
import type { PgPool } from './pg-pool.js'
import { pgCoreSql } from './pg-schema-core.js'
import { pgExplorerReadModelSql, pgLoginFailuresSql } from './pg-schema-explorer.js'
import { ingestReadModelSql } from '../ingest-schema.js'
import { pgScanReadsSql } from './pg-schema-scan-reads.js'
import { pgAlertsSql, pgAuditLogSql, pgAuthSql, pgDashboardReadModelSql, pgManualEvidenceSql, pgScheduleRunOwnerSql, pgScheduleSql, pgSshSql } from './pg-schema-subsystems.js'

/**
 * The collector's PostgreSQL schema, numbered exactly like the SQLite migrations
 * (collector/store/migrations.ts): migration N here creates what SQLite migration N
 * creates, with the same table and column names. Append only, like SQLite's. Applied
 * versions are rows of `schema_migrations` (each one, so a gap filled later is applied too);
 * each migration runs in its own transaction
 * (PostgreSQL DDL is transactional), and the whole run holds an advisory lock, so two
 * collectors starting at once apply each migration once — the second waits, then finds
 * nothing to do.
 */
export interface PgMigration {
  version: number
  name: string
  sql: string
}

export const pgMigrations: readonly PgMigration[] = [
  { version: 1, name: 'collector core: credentials, nodes, scans, findings, lifecycle, users', sql: pgCoreSql },
  { version: 2, name: 'dashboard: sessions, TOTP, recovery codes, audit log, daily scores, read-model indexes', sql: pgAuthSql + pgAuditLogSql + pgDashboardReadModelSql },
  { version: 3, name: 'scheduled scans and run history, agentless SSH nodes and pinned host keys', sql: pgScheduleSql + pgSshSql },
  { version: 4, name: 'evidence: manual evidence attached to framework controls', sql: pgManualEvidenceSql },
  { version: 5, name: 'alerts: webhook destinations, outbox, delivery log, fired conditions, certificate expiries', sql: pgAlertsSql },
  { version: 6, name: 'dashboard read model: node labels, explorer sort indexes; login limiter counters', sql: pgExplorerReadModelSql + pgLoginFailuresSql },
  { version: 7, name: 'evidence: what each scan read (gatherer reads, each distinct set stored once)', sql: pgScanReadsSql },
  { version: 8, name: 'schedules: the collector that runs each run (owner)', sql: pgScheduleRunOwnerSql },
  { version: 9, name: 'ingest: partial lifecycle indexes for open and resolved rows; lifecycle digest per node', sql: ingestReadModelSql },
]

export const pgMigrationsTable = 'schema_migrations'

/** Brings the database's schema up to date; returns the versions before and after. */
export async function migratePg(pool: PgPool, migrations: readonly PgMigration[] = pgMigrations): Promise<{ from: number; to: number }> {
  const latest = migrations.at(-1)?.version ?? 0
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    // A migration (an index on a big table, a backfill) and waiting for another collector's may
    // take longer than the pool's statement_timeout: no limit on this connection while migrating.
    await client.query('SET statement_timeout = 0')
    await client.query('SELECT pg_advisory_lock($1)', [pgAdvisoryLocks.migrations])
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS ${pgMigrationsTable} (
        version bigint PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`)
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${pgMigrationsTable} ORDER BY version`)
      const applied = new Set(rows.map((r) => r.version))
      const current = rows.at(-1)?.version ?? 0
      const unknown = rows.find((r) => !migrations.some((m) => m.version === r.version))
      if (unknown) {
        throw new PostureError('BAD_CONFIG', `database schema version ${unknown.version} is newer than this Posture understands (${latest}); upgrade Posture`)
      }
      // Every migration not yet applied, in list order: one numbered below the latest but released later still runs.
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue
        await client.query('BEGIN')
        try {
          await client.query(migration.sql)
          await client.query(`INSERT INTO ${pgMigrationsTable} (version, name) VALUES ($1, $2)`, [migration.version, migration.name])
          await client.query('COMMIT')
        } catch (err) {
          await client.query('ROLLBACK')
          throw new PostureError('INTERNAL', `PostgreSQL migration ${migration.version} (${migration.name}) failed: ${(err as Error).message}`, { cause: err })
        }
      }
      return { from: current, to: Math.max(current, latest) }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [pgAdvisoryLocks.migrations])
      await client.query('RESET statement_timeout')
    }
  } catch (err) {
    // A dead connection would still hold its session lock server-side until it closes: drop it.
    if (!(err instanceof PostureError)) broken = err as Error
    throw err
  } finally {
    client.release(broken)
  }
}

/** The schema version a database is at (0: never migrated). */
export async function pgSchemaVersion(pool: PgPool): Promise<number> {
  const exists = await pool.query<{ found: boolean }>(`SELECT to_regclass('${pgMigrationsTable}') IS NOT NULL AS found`)
  if (!exists.rows[0]?.found) return 0
  const { rows } = await pool.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${pgMigrationsTable}`)
  return rows[0]?.version ?? 0
}
