import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Backend } from '../../../../collector/store/backend.js'
import { sqliteBackend } from '../../../../collector/store/sqlite-backend.js'
import { SqliteStore } from '../../../../collector/store/sqlite-store.js'
import { loadScoringPolicy } from '../../../../rules/load-rules.js'

/**
 * One backend (SQLite or PostgreSQL) under test, fresh and empty, for the subsystem
 * contracts (audit-log-contract.ts, alert-store-contract.ts, …) that run the same tests
 * on both: SQLite here, PostgreSQL in test/integration/pg-backend.test.ts.
 */
export interface BackendUnderTest {
  backend: Backend
  /**
   * One SQL statement on the backend's database, `?` placeholders, for rows no interface
   * writes and for tampering checks; returns the rows of a SELECT or RETURNING.
   */
  sql(text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>
  /** Lets the next UPDATE of audit_log through (what someone with the database could do). */
  disableAuditTriggers(): Promise<void>
  close(): Promise<void>
}

export type OpenBackend = (options?: { clock?: () => Date }) => Promise<BackendUnderTest>

export const openSqliteBackend: OpenBackend = async (options = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'posture-backend-'))
  const policy = loadScoringPolicy()
  const backend = sqliteBackend(new SqliteStore(join(dir, 'posture.db'), policy), { dataDir: dir, policy, ...(options.clock ? { clock: options.clock } : {}) })
  const db = backend.store.db
  return {
    backend,
    async sql(text, params = []) {
      const statement = db.prepare(text)
      if (statement.reader) return statement.all(...params) as Record<string, unknown>[]
      statement.run(...params)
      return []
    },
    async disableAuditTriggers() {
      db.exec('DROP TRIGGER audit_log_no_update')
    },
    async close() {
      await backend.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
