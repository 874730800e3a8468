import type { PgPool } from '../store/pg/pg-pool.js'
import { toApiTokenRecord, type TokenDbRow } from './accounts-rows.js'
import type { ApiTokenRecord, ApiTokenStore } from './api-tokens.js'

/** API tokens on PostgreSQL (`api_tokens`): revoked on one collector, refused by all. */
export class PgApiTokens implements ApiTokenStore {
  readonly #pool: PgPool

  constructor(pool: PgPool) {
    this.#pool = pool
  }

  async find(id: string): Promise<ApiTokenRecord | null> {
    const row = (await this.#pool.query<TokenDbRow>('SELECT * FROM api_tokens WHERE id = $1', [id])).rows[0]
    return row ? toApiTokenRecord(row) : null
  }

  async list(): Promise<ApiTokenRecord[]> {
    return (await this.#pool.query<TokenDbRow>('SELECT * FROM api_tokens ORDER BY created_at DESC')).rows.map(toApiTokenRecord)
  }

  async create(token: Omit<ApiTokenRecord, 'revokedAt' | 'lastUsed'>): Promise<void> {
    await this.#pool.query('INSERT INTO api_tokens (id, secret_hash, role, name, created_at) VALUES ($1, $2, $3, $4, $5)', [token.id, token.secretHash, token.role, token.name, token.createdAt])
  }

  async revoke(id: string, at: string): Promise<boolean> {
    return ((await this.#pool.query('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id])).rowCount ?? 0) > 0
  }

  async touch(id: string, at: string): Promise<void> {
    await this.#pool.query('UPDATE api_tokens SET last_used = $1 WHERE id = $2', [at, id])
  }
}
