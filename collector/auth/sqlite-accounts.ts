import type { Db } from '../store/sqlite-open.js'
import type { Role } from '../store/store.js'
import type { Account, AccountStore, NewAccount, SessionRow } from './accounts.js'
import { toAccount, toSessionRow, type SessionDbRow, type UserDbRow } from './accounts-rows.js'

/** Accounts and sessions in the collector's SQLite database (tables from auth-schema.ts). */
export class SqliteAccounts implements AccountStore {
  readonly #db: Db
  readonly #s

  constructor(db: Db) {
    this.#db = db
    this.#s = {
      byName: db.prepare<[string], UserDbRow>('SELECT * FROM users WHERE username = ?'),
      byId: db.prepare<[number], UserDbRow>('SELECT * FROM users WHERE id = ?'),
      list: db.prepare<[], UserDbRow>('SELECT * FROM users ORDER BY username'),
      insert: db.prepare(`INSERT INTO users (username, role, password_hash, must_change_password, created_at)
        VALUES (@username, @role, @passwordHash, @mustChange, @createdAt)`),
      setPassword: db.prepare('UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?'),
      setRole: db.prepare('UPDATE users SET role = ? WHERE id = ?'),
      setDisabled: db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?'),
      setTotp: db.prepare('UPDATE users SET totp_secret = ?, totp_last_step = ? WHERE id = ?'),
      replaceTotp: db.prepare('UPDATE users SET totp_secret = ? WHERE id = ? AND totp_secret IS NOT NULL'),
      useStep: db.prepare('UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)'),
      clearCodes: db.prepare('DELETE FROM recovery_codes WHERE user_id = ?'),
      insertCode: db.prepare('INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)'),
      unusedCodes: db.prepare<[number], { code_hash: string }>('SELECT code_hash FROM recovery_codes WHERE user_id = ? AND used_at IS NULL'),
      useCode: db.prepare('UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL'),
      admins: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL"),
      insertSession: db.prepare(`INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen, ip, totp_pending)
        VALUES (@idHash, @userId, @csrfToken, @createdAt, @lastSeen, @ip, @totpPending)`),
      session: db.prepare<[string], SessionDbRow>('SELECT * FROM sessions WHERE id_hash = ?'),
      touch: db.prepare('UPDATE sessions SET last_seen = ? WHERE id_hash = ?'),
      pending: db.prepare('UPDATE sessions SET totp_pending = ? WHERE id_hash = ?'),
      deleteSession: db.prepare('DELETE FROM sessions WHERE id_hash = ?'),
      deleteUserSessions: db.prepare('DELETE FROM sessions WHERE user_id = ? AND id_hash != ?'),
      deleteOld: db.prepare('DELETE FROM sessions WHERE last_seen < ? OR created_at < ?'),
    }
  }

  async findByUsername(username: string): Promise<Account | null> {
    const row = this.#s.byName.get(username)
    return row ? toAccount(row) : null
  }

  async findById(id: number): Promise<Account | null> {
    const row = this.#s.byId.get(id)
    return row ? toAccount(row) : null
  }

  async list(): Promise<Account[]> {
    return this.#s.list.all().map(toAccount)
  }

  async create(account: NewAccount): Promise<number> {
    const result = this.#s.insert.run({ ...account, mustChange: account.mustChangePassword ? 1 : 0 })
    return Number(result.lastInsertRowid)
  }

  async setPassword(id: number, passwordHash: string, mustChange: boolean): Promise<void> {
    this.#s.setPassword.run(passwordHash, mustChange ? 1 : 0, id)
  }

  async setRole(id: number, role: Role): Promise<void> {
    this.#s.setRole.run(role, id)
  }

  async setDisabled(id: number, disabledAt: string | null): Promise<void> {
    this.#s.setDisabled.run(disabledAt, id)
  }

  async enableTotp(id: number, secret: string, step: number, recoveryHashes: readonly string[]): Promise<void> {
    this.#db.transaction(() => {
      this.#s.setTotp.run(secret, step, id)
      this.#s.clearCodes.run(id)
      for (const hash of recoveryHashes) this.#s.insertCode.run(id, hash)
    }).immediate()
  }

  async useTotpStep(id: number, step: number): Promise<boolean> {
    return this.#s.useStep.run(step, id, step).changes > 0
  }

  async unusedRecoveryCodes(id: number): Promise<string[]> {
    return this.#s.unusedCodes.all(id).map((r) => r.code_hash)
  }

  async useRecoveryCode(id: number, codeHash: string, now: string): Promise<boolean> {
    return this.#s.useCode.run(now, id, codeHash).changes > 0
  }

  async activeAdminCount(): Promise<number> {
    return this.#s.admins.get()?.n ?? 0
  }

  async createSession(row: SessionRow): Promise<void> {
    this.#s.insertSession.run(row)
  }

  async findSession(idHash: string): Promise<SessionRow | null> {
    const row = this.#s.session.get(idHash)
    return row ? toSessionRow(row) : null
  }

  async touchSession(idHash: string, lastSeen: string): Promise<void> {
    this.#s.touch.run(lastSeen, idHash)
  }

  async replaceTotpSecret(id: number, secret: string): Promise<void> {
    this.#s.replaceTotp.run(secret, id)
  }

  async setTotpPending(idHash: string, secret: string | null): Promise<void> {
    this.#s.pending.run(secret, idHash)
  }

  async deleteSession(idHash: string): Promise<void> {
    this.#s.deleteSession.run(idHash)
  }

  async deleteUserSessions(userId: number, except = ''): Promise<void> {
    this.#s.deleteUserSessions.run(userId, except)
  }

  async deleteSessionsBefore(lastSeenBefore: string, createdBefore: string): Promise<number> {
    return this.#s.deleteOld.run(lastSeenBefore, createdBefore).changes
  }
}
