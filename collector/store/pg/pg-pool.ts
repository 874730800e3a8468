import pg from 'pg'
import { PostureError } from '../../../rules/posture-error.js'

/**
 * The connection pool to the collector's PostgreSQL database (issue 14), through
 * node-postgres. One pool per collector process; every PostgreSQL store module borrows
 * from it. Each connection carries `application_name` (visible in pg_stat_activity, so an
 * operator can tell collectors apart) and a `statement_timeout`, so a stuck query fails
 * with an error instead of holding a connection forever.
 */
export type PgPool = pg.Pool
export type PgClient = pg.PoolClient
/** A pool or one checked-out client: what a query runs on. */
export type PgQueryable = Pick<pg.Pool | pg.PoolClient, 'query'>

export interface PgPoolOptions {
  /** `postgres://user:password@host:port/database?sslmode=…` (libpq's URI form). */
  url: string
  /** Connections at most; the collector's ingest, API and jobs share them. */
  maxConnections?: number
  /** Server-side limit per statement (PostgreSQL `statement_timeout`). */
  statementTimeoutMs?: number
  /** Shown in pg_stat_activity. */
  applicationName?: string
  /** How long to wait for a connection (a full pool, an unreachable server). */
  connectTimeoutMs?: number
  /** An idle connection broke (server restart, network): the pool drops it and reconnects on demand. */
  onIdleError?: (err: Error) => void
}

export const pgPoolDefaults = { maxConnections: 10, statementTimeoutMs: 30_000, applicationName: 'posture-collector', connectTimeoutMs: 10_000 } as const

/** Whether a `--database` value names PostgreSQL (rather than a file). */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value)
}

// BIGINT (int8) and COUNT(*) come back as JavaScript numbers: every id and count Posture
// stores is far below 2^53. Per pool, not pg's global type registry.
const int8Oid = 20
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === int8Oid && format !== 'binary') return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format ?? 'text')
  },
}

export function openPgPool(options: PgPoolOptions): PgPool {
  if (!isPostgresUrl(options.url)) throw new PostureError('BAD_CONFIG', 'database: expected a postgres:// or postgresql:// URL')
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? pgPoolDefaults.maxConnections,
    statement_timeout: options.statementTimeoutMs ?? pgPoolDefaults.statementTimeoutMs,
    application_name: options.applicationName ?? pgPoolDefaults.applicationName,
    connectionTimeoutMillis: options.connectTimeoutMs ?? pgPoolDefaults.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    types,
  })
  // Without a listener an idle client's error would crash the process (an EventEmitter 'error').
  pool.on('error', (err) => options.onIdleError?.(err))
  return pool
}

/** Checks that the server answers: turns "cannot connect" into one clear error, without the password. */
export async function checkPgConnection(pool: PgPool, url: string): Promise<void> {
  try {
    await pool.query('SELECT 1')
  } catch (err) {
    throw new PostureError('CONNECT_FAILED', `database ${redactPgUrl(url)}: cannot connect (${(err as Error).message})`, { cause: err })
  }
}

/** The URL with its password replaced, for logs and error messages. */
export function redactPgUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    // Not a parseable URL: show nothing of it rather than a possible password.
    return 'postgres://(unparseable URL)'
  }
}

/** Ends every connection; resolves once they are closed. Safe to call twice. */
export async function closePgPool(pool: PgPool): Promise<void> {
  if (pool.ended || (pool as { ending?: boolean }).ending) return
  await pool.end()
}
