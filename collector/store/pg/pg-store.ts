import { PostureError } from '../../../rules/posture-error.js'
import type { ScoringPolicy } from '../../../rules/scoring.js'
import { waiverSchema, type Waiver } from '../../../rules/waivers.js'
import type { AgentRow, ApiTokenRow, EnrollmentTokenRow, EnrollOutcome, IngestItem, IngestResult, Role, Store, UserRow } from '../store.js'
import { createPgIngest } from './pg-ingest.js'
import { migratePg } from './pg-migrations.js'
import { checkPgConnection, closePgPool, openPgPool, type PgPool, type PgPoolOptions } from './pg-pool.js'
import { createPgQueries } from './pg-queries.js'
import { withPgTransaction } from './pg-transaction.js'
import { labelsSchema, toAgent, type AgentDbRow } from '../store-rows.js'

type Seen = { lastSeen: string; agentVersion?: string; hostname?: string; intervalMs?: number }

/**
 * The collector's store on PostgreSQL (issue 14): the same interface and semantics as
 * SqliteStore, for several collectors sharing one database. Open it with `openPgStore`,
 * which connects, checks the server answers and brings the schema up to date.
 * The other subsystems' PostgreSQL modules share its `pool`.
 */
export class PgStore implements Store {
  readonly pool: PgPool
  readonly #ingest: ReturnType<typeof createPgIngest>
  readonly #queries: ReturnType<typeof createPgQueries>
  #closing: Promise<void> | null = null

  constructor(pool: PgPool, policy: ScoringPolicy) {
    this.pool = pool
    this.#ingest = createPgIngest(pool, policy)
    this.#queries = createPgQueries(pool)
  }

  /** Starts closing the pool (Store's synchronous close); `end()` waits for it. */
  close(): void {
    this.#closing ??= closePgPool(this.pool)
  }

  async end(): Promise<void> {
    this.close()
    await this.#closing
  }

  async getSetting(key: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key])
    return rows[0]?.value ?? null
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value])
  }

  async createEnrollmentToken(row: EnrollmentTokenRow): Promise<void> {
    await this.pool.query('INSERT INTO enrollment_tokens (id, secret_hash, labels, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      row.id, row.secretHash, JSON.stringify(row.labels), row.createdAt, row.expiresAt,
    ])
  }

  async enrollAgent(
    tokenId: string,
    matches: (secretHash: string) => boolean,
    agent: Omit<AgentRow, 'labels' | 'revokedAt' | 'lastSeen' | 'intervalMs'>,
    now: Date,
  ): Promise<EnrollOutcome> {
    return withPgTransaction(this.pool, async (client): Promise<EnrollOutcome> => {
      // FOR UPDATE: two collectors enrolling with the same token at once; the second sees it used.
      const token = (
        await client.query<{ secret_hash: string; labels: string; expires_at: string; used_at: string | null }>(
          'SELECT secret_hash, labels, expires_at, used_at FROM enrollment_tokens WHERE id = $1 FOR UPDATE',
          [tokenId],
        )
      ).rows[0]
      if (!token || !matches(token.secret_hash)) return { ok: false, reason: 'unknown' }
      if (token.used_at !== null) return { ok: false, reason: 'used' }
      if (Date.parse(token.expires_at) <= now.getTime()) return { ok: false, reason: 'expired' }
      await client.query('UPDATE enrollment_tokens SET used_at = $1, agent_id = $2 WHERE id = $3 AND used_at IS NULL', [now.toISOString(), agent.id, tokenId])
      await client.query('INSERT INTO agents (id, secret_hash, labels, hostname, agent_version, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        agent.id, agent.secretHash, token.labels, agent.hostname, agent.agentVersion, agent.enrolledAt,
      ])
      return { ok: true, labels: labelsSchema.parse(JSON.parse(token.labels)) }
    })
  }

  async findAgent(id: string): Promise<AgentRow | null> {
    const row = (await this.pool.query<AgentDbRow>('SELECT * FROM agents WHERE id = $1', [id])).rows[0]
    return row ? toAgent(row) : null
  }

  async listAgents(): Promise<AgentRow[]> {
    return (await this.pool.query<AgentDbRow>('SELECT * FROM agents ORDER BY enrolled_at, id')).rows.map(toAgent)
  }

  async revokeAgent(id: string, now: Date): Promise<boolean> {
    return ((await this.pool.query('UPDATE agents SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now.toISOString(), id])).rowCount ?? 0) > 0
  }

  async revokedAgentsSince(since: string): Promise<string[]> {
    return (await this.pool.query<{ id: string }>('SELECT id FROM agents WHERE revoked_at IS NOT NULL AND revoked_at >= $1', [since])).rows.map((r) => r.id)
  }

  async touchAgent(id: string, seen: Seen): Promise<void> {
    await this.touchAgents(new Map([[id, seen]]))
  }

  async touchAgents(touches: ReadonlyMap<string, Seen>): Promise<void> {
    if (touches.size === 0) return
    // One statement for the whole buffer (the gateway flushes touches periodically).
    const ids = [...touches.keys()].sort()
    const seen = ids.map((id) => touches.get(id)!)
    await this.pool.query(
      `UPDATE agents a SET last_seen = t.last_seen, agent_version = coalesce(t.agent_version, a.agent_version),
         hostname = coalesce(t.hostname, a.hostname), interval_ms = coalesce(t.interval_ms, a.interval_ms)
       FROM (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS u(id, last_seen, agent_version, hostname, interval_ms) ORDER BY id) t
       WHERE a.id = t.id`,
      [ids, seen.map((s) => s.lastSeen), seen.map((s) => s.agentVersion ?? null), seen.map((s) => s.hostname ?? null), seen.map((s) => s.intervalMs ?? null)],
    )
  }

  async createApiToken(row: ApiTokenRow): Promise<void> {
    await this.pool.query('INSERT INTO api_tokens (id, secret_hash, role, name, created_at) VALUES ($1, $2, $3, $4, $5)', [row.id, row.secretHash, row.role, row.name, row.createdAt])
  }

  async findApiToken(id: string): Promise<ApiTokenRow | null> {
    const row = (
      await this.pool.query<{ id: string; secret_hash: string; role: Role; name: string; created_at: string; revoked_at: string | null }>('SELECT * FROM api_tokens WHERE id = $1', [id])
    ).rows[0]
    return row ? { id: row.id, secretHash: row.secret_hash, role: row.role, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at } : null
  }

  async createUser(row: Omit<UserRow, 'id'>): Promise<number> {
    const { rows } = await this.pool.query<{ id: number }>(
      'INSERT INTO users (username, role, password_hash, must_change_password, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [row.username, row.role, row.passwordHash, row.mustChangePassword ? 1 : 0, row.createdAt],
    )
    return rows[0]!.id
  }

  async findUser(username: string): Promise<UserRow | null> {
    const row = (
      await this.pool.query<{ id: number; username: string; role: Role; password_hash: string; must_change_password: number; created_at: string }>(
        'SELECT * FROM users WHERE username = $1',
        [username],
      )
    ).rows[0]
    return row
      ? { id: row.id, username: row.username, role: row.role, passwordHash: row.password_hash, mustChangePassword: row.must_change_password === 1, createdAt: row.created_at }
      : null
  }

  async ingest(items: readonly IngestItem[]): Promise<IngestResult[]> {
    return this.#ingest.storeBatch(items)
  }

  async setNodeOffline(nodeId: string, since: string | null): Promise<void> {
    await this.pool.query('UPDATE nodes SET offline_since = $1 WHERE id = $2', [since, nodeId])
  }

  listNodes = async () => this.#queries.listNodes()
  getNode = async (id: string) => this.#queries.getNode(id)
  latestReport = async (nodeId: string) => this.#queries.latestReport(nodeId)
  nodeFindings = async (nodeId: string, filter: Parameters<Store['nodeFindings']>[1]) => this.#queries.nodeFindings(nodeId, filter)
  nodeHistory = async (nodeId: string, limit: number) => this.#queries.nodeHistory(nodeId, limit)
  fleetFindings = async (filter: Parameters<Store['fleetFindings']>[0]) => this.#queries.fleetFindings(filter)
  nodesToRescore = async (scoredWith: string, limit: number) => this.#queries.nodesToRescore(scoredWith, limit)

  async listWaivers(): Promise<Waiver[]> {
    return (await this.pool.query<{ spec: string }>('SELECT spec FROM waivers ORDER BY id')).rows.map((row) => waiverSchema.parse(JSON.parse(row.spec)))
  }

  async putWaiver(waiver: Waiver, now: Date): Promise<void> {
    await this.pool.query('INSERT INTO waivers (id, spec, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET spec = excluded.spec', [
      waiver.id, JSON.stringify(waiverSchema.parse(waiver)), now.toISOString(),
    ])
  }

  async deleteWaiver(id: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM waivers WHERE id = $1', [id])).rowCount ?? 0) > 0
  }

  async backup(_path: string): Promise<void> {
    throw new PostureError(
      'BAD_USAGE',
      'backups of a PostgreSQL store are made with PostgreSQL\'s own tools: pg_dump --format=custom (or continuous archiving / pg_basebackup), not posture',
    )
  }
}

export interface OpenPgStoreOptions extends Omit<PgPoolOptions, 'url'> {
  /** Skip migrations (admin tools that must not change the schema); default false. */
  skipMigrations?: boolean
}

/** Connects, checks the connection, migrates the schema (under an advisory lock), and returns the store. */
export async function openPgStore(url: string, policy: ScoringPolicy, options: OpenPgStoreOptions = {}): Promise<PgStore> {
  const { skipMigrations, ...poolOptions } = options
  const pool = openPgPool({ ...poolOptions, url })
  try {
    await checkPgConnection(pool, url)
    if (!skipMigrations) await migratePg(pool)
  } catch (err) {
    await closePgPool(pool)
    throw err
  }
  return new PgStore(pool, policy)
}
