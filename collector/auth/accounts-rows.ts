import type { Role } from '../store/store.js'
import type { Account, SessionRow } from './accounts.js'
import type { ApiTokenRecord } from './api-tokens.js'

/**
 * `users`, `sessions` and `api_tokens` rows → auth values, for both backends
 * (sqlite-accounts.ts, pg-accounts.ts, sqlite-api-tokens.ts, pg-api-tokens.ts select the same columns). Integer columns go through Number(): PostgreSQL
 * may hand back a BIGINT/COUNT as a string, SQLite hands back a number already.
 */
export interface UserDbRow {
  id: number
  username: string
  role: Role
  password_hash: string
  must_change_password: number
  totp_secret: string | null
  totp_last_step: number | null
  created_at: string
  disabled_at: string | null
}

export interface SessionDbRow {
  id_hash: string
  user_id: number
  csrf_token: string
  created_at: string
  last_seen: string
  ip: string | null
  totp_pending: string | null
}

export function toAccount(row: UserDbRow): Account {
  return {
    id: Number(row.id),
    username: row.username,
    role: row.role,
    passwordHash: row.password_hash,
    mustChangePassword: Number(row.must_change_password) === 1,
    totpSecret: row.totp_secret,
    totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  }
}

export function toSessionRow(row: SessionDbRow): SessionRow {
  return {
    idHash: row.id_hash,
    userId: Number(row.user_id),
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    lastSeen: row.last_seen,
    ip: row.ip,
    totpPending: row.totp_pending,
  }
}

export interface TokenDbRow {
  id: string
  secret_hash: string
  role: Role
  name: string
  created_at: string
  revoked_at: string | null
  last_used: string | null
}

export function toApiTokenRecord(row: TokenDbRow): ApiTokenRecord {
  return { id: row.id, secretHash: row.secret_hash, role: row.role, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at, lastUsed: row.last_used }
}
