import type { Db } from '../store/sqlite-open.js'
import { counterExpiry, countFailure, type FailureCounter, type LimitPolicy, type LoginCounters } from './login-limiter.js'

interface Row {
  failures: number
  window_start: number
  locked_until: number
}

/** The login limiter's counters in the collector's SQLite database (login-failures-schema.ts, migration 6). */
export class SqliteLoginCounters implements LoginCounters {
  readonly #db: Db
  readonly #s

  constructor(db: Db) {
    this.#db = db
    this.#s = {
      get: db.prepare<[string], Row>('SELECT failures, window_start, locked_until FROM login_failures WHERE key = ?'),
      locked: db.prepare<[string, number], { until: number }>('SELECT locked_until AS until FROM login_failures WHERE key = ? AND locked_until > ?'),
      put: db.prepare(`INSERT INTO login_failures (key, failures, window_start, locked_until, expires_at) VALUES (@key, @failures, @windowStart, @lockedUntil, @expiresAt)
        ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until, expires_at = excluded.expires_at`),
      expire: db.prepare('DELETE FROM login_failures WHERE expires_at <= ?'),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM login_failures'),
      trim: db.prepare('DELETE FROM login_failures WHERE key IN (SELECT key FROM login_failures ORDER BY expires_at LIMIT ?)'),
      forget: db.prepare('DELETE FROM login_failures WHERE key = ?'),
    }
  }

  async lockedUntil(keys: readonly string[], now: number): Promise<number> {
    return Math.max(0, ...keys.map((key) => this.#s.locked.get(key, now)?.until ?? 0))
  }

  async recordFailure(key: string, policy: LimitPolicy, now: number, maxKeys: number): Promise<void> {
    this.#db
      .transaction(() => {
        const row = this.#s.get.get(key)
        const before: FailureCounter | null = row ? { failures: row.failures, windowStart: row.window_start, lockedUntil: row.locked_until } : null
        const next = countFailure(before, policy, now)
        this.#s.put.run({ key, ...next, expiresAt: counterExpiry(next, policy) })
        this.#s.expire.run(now)
        const over = this.#s.count.get()!.n - maxKeys
        if (over > 0) this.#s.trim.run(over)
      })
      .immediate()
  }

  async forget(key: string): Promise<void> {
    this.#s.forget.run(key)
  }
}
