import type { PgPool } from '../store/pg/pg-pool.js'
import { withPgTransaction } from '../store/pg/pg-transaction.js'
import { counterExpiry, countFailure, type LimitPolicy, type LoginCounters } from './login-limiter.js'

/**
 * The login limiter's counters on PostgreSQL (`login_failures`, mirroring SQLite's
 * migration 6 with BIGINT times): every collector on the database counts the same
 * failures. A key's row is locked (`FOR UPDATE`) while one failure is counted, so two
 * collectors counting at once both count.
 */
export class PgLoginCounters implements LoginCounters {
  readonly #pool: PgPool

  constructor(pool: PgPool) {
    this.#pool = pool
  }

  async lockedUntil(keys: readonly string[], now: number): Promise<number> {
    const { rows } = await this.#pool.query<{ until: string | null }>('SELECT max(locked_until) AS until FROM login_failures WHERE key = ANY($1) AND locked_until > $2', [keys, now])
    return Number(rows[0]?.until ?? 0)
  }

  async recordFailure(key: string, policy: LimitPolicy, now: number, maxKeys: number): Promise<void> {
    await withPgTransaction(this.#pool, async (client) => {
      await client.query('INSERT INTO login_failures (key, failures, window_start, locked_until, expires_at) VALUES ($1, 0, $2, 0, $2) ON CONFLICT (key) DO NOTHING', [key, now])
      const { rows } = await client.query<{ failures: number; window_start: string; locked_until: string }>('SELECT failures, window_start, locked_until FROM login_failures WHERE key = $1 FOR UPDATE', [key])
      const row = rows[0]!
      const fresh = row.failures === 0 && Number(row.locked_until) === 0 && Number(row.window_start) === now
      const next = countFailure(fresh ? null : { failures: row.failures, windowStart: Number(row.window_start), lockedUntil: Number(row.locked_until) }, policy, now)
      await client.query('UPDATE login_failures SET failures = $2, window_start = $3, locked_until = $4, expires_at = $5 WHERE key = $1', [key, next.failures, next.windowStart, next.lockedUntil, counterExpiry(next, policy)])
      await client.query('DELETE FROM login_failures WHERE expires_at <= $1', [now])
      await client.query('DELETE FROM login_failures WHERE key IN (SELECT key FROM login_failures ORDER BY expires_at OFFSET $1)', [maxKeys])
    })
  }

  async forget(key: string): Promise<void> {
    await this.#pool.query('DELETE FROM login_failures WHERE key = $1', [key])
  }
}

/** The table, for the PostgreSQL schema (collector/store/pg/). */
export const loginFailuresPgSql = `
CREATE TABLE login_failures (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start BIGINT NOT NULL,
  locked_until BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX login_failures_expiry ON login_failures(expires_at);
`
