import type { Db } from '../store/sqlite-open.js'
import { toApiTokenRecord, type TokenDbRow } from './accounts-rows.js'
import type { ApiTokenRecord, ApiTokenStore } from './api-tokens.js'

/** API tokens in the collector's SQLite database (`api_tokens`, migration 1). */
export class SqliteApiTokens implements ApiTokenStore {
  readonly #s

  constructor(db: Db) {
    this.#s = {
      find: db.prepare<[string], TokenDbRow>('SELECT * FROM api_tokens WHERE id = ?'),
      list: db.prepare<[], TokenDbRow>('SELECT * FROM api_tokens ORDER BY created_at DESC'),
      insert: db.prepare('INSERT INTO api_tokens (id, secret_hash, role, name, created_at) VALUES (@id, @secretHash, @role, @name, @createdAt)'),
      revoke: db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      touch: db.prepare('UPDATE api_tokens SET last_used = ? WHERE id = ?'),
    }
  }

  async find(id: string): Promise<ApiTokenRecord | null> {
    const row = this.#s.find.get(id)
    return row ? toApiTokenRecord(row) : null
  }

  async list(): Promise<ApiTokenRecord[]> {
    return this.#s.list.all().map(toApiTokenRecord)
  }

  async create(token: Omit<ApiTokenRecord, 'revokedAt' | 'lastUsed'>): Promise<void> {
    this.#s.insert.run(token)
  }

  async revoke(id: string, at: string): Promise<boolean> {
    return this.#s.revoke.run(at, id).changes > 0
  }

  async touch(id: string, at: string): Promise<void> {
    this.#s.touch.run(at, id)
  }
}
