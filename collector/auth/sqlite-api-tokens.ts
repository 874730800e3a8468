import type { Db } from '../store/sqlite-open.js'
import type { Role } from '../store/store.js'
import type { ApiTokenRecord, ApiTokenStore } from './api-tokens.js'

interface TokenDbRow {
  id: string
  secret_hash: string
  role: Role
  name: string
  created_at: string
  revoked_at: string | null
  last_used: string | null
}

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
    return row ? toRecord(row) : null
  }

  async list(): Promise<ApiTokenRecord[]> {
    return this.#s.list.all().map(toRecord)
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

function toRecord(row: TokenDbRow): ApiTokenRecord {
  return { id: row.id, secretHash: row.secret_hash, role: row.role, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at, lastUsed: row.last_used }
}
