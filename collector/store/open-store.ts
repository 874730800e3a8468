import type { ScoringPolicy } from '../../rules/scoring.js'
import { openPgStore, type PgStore } from './pg/pg-store.js'
import { SqliteStore } from './sqlite-store.js'
import { join } from 'node:path'

/**
 * Which database a collector uses (issue 14): PostgreSQL when a `postgres://` URL is
 * configured (`--database`, or `database:` in the config file), else the embedded SQLite
 * file in the data directory, as before. The data directory is used either way, for what
 * is per collector: its TLS identity, the evidence signing key, the lock. With PostgreSQL,
 * each of several collectors has its own data directory and they share the database.
 */
export type OpenedStore = { kind: 'sqlite'; store: SqliteStore } | { kind: 'postgres'; store: PgStore }

export interface StoreSettings {
  dataDir: string
  /** A postgres:// URL; absent: SQLite in `dataDir`. */
  database?: string | undefined
  store: { synchronous: 'full' | 'normal'; maxConnections: number; statementTimeoutMs: number }
}

export function sqliteDatabasePath(dataDir: string): string {
  return join(dataDir, 'posture.db')
}

export async function openCollectorStore(settings: StoreSettings, policy: ScoringPolicy, options: { onIdleError?: (err: Error) => void } = {}): Promise<OpenedStore> {
  if (settings.database === undefined) {
    return { kind: 'sqlite', store: new SqliteStore(sqliteDatabasePath(settings.dataDir), policy, { synchronous: settings.store.synchronous }) }
  }
  const store = await openPgStore(settings.database, policy, {
    maxConnections: settings.store.maxConnections,
    statementTimeoutMs: settings.store.statementTimeoutMs,
    ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}),
  })
  return { kind: 'postgres', store }
}
