/**
 * Tables for browser accounts beyond the collector's `users`: sessions (stored by the
 * SHA-256 of their secret), the TOTP step last used (replay protection), and one-time
 * recovery codes (hashed).
 */
export const authSql = `
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  ip TEXT,
  totp_pending TEXT
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
CREATE TABLE recovery_codes (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at TEXT,
  PRIMARY KEY (user_id, code_hash)
) STRICT;
`
