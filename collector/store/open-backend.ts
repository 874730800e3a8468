import type { ScoringPolicy } from '../../rules/scoring.js'
import type { OpenedStore } from './open-store.js'
import { pgBackend, type PgBackend } from './pg-backend.js'
import { sqliteBackend, type SqliteBackend } from './sqlite-backend.js'

/**
 * The backend for a store opened by openCollectorStore (open-store.ts): SQLite's set over
 * the data directory's file, or PostgreSQL's over the store's pool.
 */
export function backendFor(opened: OpenedStore, options: { dataDir: string; policy: ScoringPolicy; clock?: () => Date }): SqliteBackend | PgBackend {
  return opened.kind === 'sqlite' ? sqliteBackend(opened.store, options) : pgBackend(opened.store, options)
}
