import type { PgPool } from '../store/pg/pg-pool.js'
import { withPgTransaction } from '../store/pg/pg-transaction.js'
import type { Role } from '../store/store.js'
import type { Account, AccountStore, NewAccount, SessionRow } from './accounts.js'
import { toAccount, toSessionRow, type SessionDbRow, type UserDbRow } from './accounts-rows.js'

/** Accounts and sessions on PostgreSQL (tables from pg-schema-*.ts): a session made on one collector is valid on every other. */
export class PgAccounts implements AccountStore {
  readonly #pool: PgPool

  constructor(pool: PgPool) {
    this.#pool = pool
  }

  async #one<T extends object>(sql: string, params: unknown[]): Promise<T | undefined> {
    return (await this.#pool.query<T>(sql, params)).rows[0]
  }

  async #changed(sql: string, params: unknown[]): Promise<number> {
    return (await this.#pool.query(sql, params)).rowCount ?? 0
  }

  async findByUsername(username: string): Promise<Account | null> {
    const row = await this.#one<UserDbRow>('SELECT * FROM users WHERE username = $1', [username])
    return row ? toAccount(row) : null
  }

  async findById(id: number): Promise<Account | null> {
    const row = await this.#one<UserDbRow>('SELECT * FROM users WHERE id = $1', [id])
    return row ? toAccount(row) : null
  }

  async list(): Promise<Account[]> {
    return (await this.#pool.query<UserDbRow>('SELECT * FROM users ORDER BY username')).rows.map(toAccount)
  }

  async create(account: NewAccount): Promise<number> {
    const row = await this.#one<{ id: number }>(
      'INSERT INTO users (username, role, password_hash, must_change_password, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [account.username, account.role, account.passwordHash, account.mustChangePassword ? 1 : 0, account.createdAt],
    )
    return Number(row!.id)
  }

  async setPassword(id: number, passwordHash: string, mustChange: boolean): Promise<void> {
    await this.#changed('UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3', [passwordHash, mustChange ? 1 : 0, id])
  }

  async setRole(id: number, role: Role): Promise<void> {
    await this.#changed('UPDATE users SET role = $1 WHERE id = $2', [role, id])
  }

  async setDisabled(id: number, disabledAt: string | null): Promise<void> {
    await this.#changed('UPDATE users SET disabled_at = $1 WHERE id = $2', [disabledAt, id])
  }

  async enableTotp(id: number, secret: string, step: number, recoveryHashes: readonly string[]): Promise<void> {
    await withPgTransaction(this.#pool, async (client) => {
      await client.query('UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE id = $3', [secret, step, id])
      await client.query('DELETE FROM recovery_codes WHERE user_id = $1', [id])
      if (recoveryHashes.length > 0) {
        await client.query('INSERT INTO recovery_codes (user_id, code_hash) SELECT $1, unnest($2::text[])', [id, [...recoveryHashes]])
      }
    })
  }

  // One conditional UPDATE: two collectors checking the same code at once accept it once.
  async useTotpStep(id: number, step: number): Promise<boolean> {
    return (await this.#changed('UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)', [step, id])) > 0
  }

  async unusedRecoveryCodes(id: number): Promise<string[]> {
    return (await this.#pool.query<{ code_hash: string }>('SELECT code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL', [id])).rows.map((r) => r.code_hash)
  }

  async useRecoveryCode(id: number, codeHash: string, now: string): Promise<boolean> {
    return (await this.#changed('UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL', [now, id, codeHash])) > 0
  }

  async activeAdminCount(): Promise<number> {
    const row = await this.#one<{ n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL", [])
    return Number(row?.n ?? 0)
  }

  async createSession(row: SessionRow): Promise<void> {
    await this.#changed(
      'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen, ip, totp_pending) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [row.idHash, row.userId, row.csrfToken, row.createdAt, row.lastSeen, row.ip, row.totpPending],
    )
  }

  async findSession(idHash: string): Promise<SessionRow | null> {
    const row = await this.#one<SessionDbRow>('SELECT * FROM sessions WHERE id_hash = $1', [idHash])
    return row ? toSessionRow(row) : null
  }

  async touchSession(idHash: string, lastSeen: string): Promise<void> {
    await this.#changed('UPDATE sessions SET last_seen = $1 WHERE id_hash = $2', [lastSeen, idHash])
  }

  async replaceTotpSecret(id: number, secret: string): Promise<void> {
    await this.#pool.query('UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret IS NOT NULL', [secret, id])
  }

  async setTotpPending(idHash: string, secret: string | null): Promise<void> {
    await this.#changed('UPDATE sessions SET totp_pending = $1 WHERE id_hash = $2', [secret, idHash])
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.#changed('DELETE FROM sessions WHERE id_hash = $1', [idHash])
  }

  async deleteUserSessions(userId: number, except = ''): Promise<void> {
    await this.#changed('DELETE FROM sessions WHERE user_id = $1 AND id_hash != $2', [userId, except])
  }

  async deleteSessionsBefore(lastSeenBefore: string, createdBefore: string): Promise<number> {
    return this.#changed('DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2', [lastSeenBefore, createdBefore])
  }
}
