/**
 * The login limiter's counters (login-limiter.ts), in the database so that a restart does
 * not forgive an attacker and every collector on one database counts the same failures.
 * Times are milliseconds since the epoch; a row is dead after `expires_at` (its window
 * and lock are both over) and is deleted by the next failure anywhere.
 */
export const loginFailuresSql = `
CREATE TABLE login_failures (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  locked_until INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX login_failures_expiry ON login_failures(expires_at);
`
