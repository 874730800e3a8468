import type { ScoringPolicy } from '../../rules/scoring.js'
import { waiverSchema, type Waiver } from '../../rules/waivers.js'
import { openDatabase, type Db, type OpenOptions } from './sqlite-open.js'
import { prepareIngest } from './sqlite-ingest.js'
import { prepareQueries } from './sqlite-queries.js'
import { labelsSchema, toAgent, type AgentDbRow } from './store-rows.js'
import type { AgentRow, ApiTokenRow, EnrollmentTokenRow, EnrollOutcome, IngestItem, IngestResult, Role, Store, UserRow } from './store.js'


/** The embedded store: one SQLite file through better-sqlite3 (DESIGN.md, "Collector", Store). */
export class SqliteStore implements Store {
  readonly db: Db
  readonly #ingest: ReturnType<typeof prepareIngest>
  readonly #queries: ReturnType<typeof prepareQueries>
  readonly #s

  constructor(path: string, policy: ScoringPolicy, options: OpenOptions = {}) {
    this.db = openDatabase(path, options)
    const db = this.db
    this.#ingest = prepareIngest(db, policy)
    this.#queries = prepareQueries(db)
    this.#s = {
      getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      setSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      insertEnrollmentToken: db.prepare('INSERT INTO enrollment_tokens (id, secret_hash, labels, created_at, expires_at) VALUES (@id, @secretHash, @labels, @createdAt, @expiresAt)'),
      enrollmentToken: db.prepare<[string], { secret_hash: string; labels: string; expires_at: string; used_at: string | null }>('SELECT secret_hash, labels, expires_at, used_at FROM enrollment_tokens WHERE id = ?'),
      spendEnrollmentToken: db.prepare('UPDATE enrollment_tokens SET used_at = ?, agent_id = ? WHERE id = ? AND used_at IS NULL'),
      insertAgent: db.prepare(`INSERT INTO agents (id, secret_hash, labels, hostname, agent_version, enrolled_at)
        VALUES (@id, @secretHash, @labels, @hostname, @agentVersion, @enrolledAt)`),
      agent: db.prepare<[string], AgentDbRow>('SELECT * FROM agents WHERE id = ?'),
      agents: db.prepare<[], AgentDbRow>('SELECT * FROM agents ORDER BY enrolled_at'),
      revokeAgent: db.prepare('UPDATE agents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      revokedSince: db.prepare<[string], { id: string }>('SELECT id FROM agents WHERE revoked_at IS NOT NULL AND revoked_at >= ?'),
      touchAgent: db.prepare(`UPDATE agents SET last_seen = @lastSeen, agent_version = coalesce(@agentVersion, agent_version),
        hostname = coalesce(@hostname, hostname), interval_ms = coalesce(@intervalMs, interval_ms) WHERE id = @id`),
      insertApiToken: db.prepare('INSERT INTO api_tokens (id, secret_hash, role, name, created_at) VALUES (@id, @secretHash, @role, @name, @createdAt)'),
      apiToken: db.prepare<[string], { id: string; secret_hash: string; role: Role; name: string; created_at: string; revoked_at: string | null }>('SELECT * FROM api_tokens WHERE id = ?'),
      insertUser: db.prepare('INSERT INTO users (username, role, password_hash, must_change_password, created_at) VALUES (@username, @role, @passwordHash, @mustChange, @createdAt)'),
      user: db.prepare<[string], { id: number; username: string; role: Role; password_hash: string; must_change_password: number; created_at: string }>('SELECT * FROM users WHERE username = ?'),
      setNodeOffline: db.prepare('UPDATE nodes SET offline_since = ? WHERE id = ?'),
      waivers: db.prepare<[], { spec: string }>('SELECT spec FROM waivers ORDER BY id'),
      putWaiver: db.prepare('INSERT INTO waivers (id, spec, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET spec = excluded.spec'),
      deleteWaiver: db.prepare('DELETE FROM waivers WHERE id = ?'),
    }
  }

  close(): void {
    if (this.db.open) this.db.close()
  }

  async getSetting(key: string): Promise<string | null> {
    return this.#s.getSetting.get(key)?.value ?? null
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.#s.setSetting.run(key, value)
  }

  async createEnrollmentToken(row: EnrollmentTokenRow): Promise<void> {
    this.#s.insertEnrollmentToken.run({ ...row, labels: JSON.stringify(row.labels) })
  }

  async enrollAgent(
    tokenId: string,
    matches: (secretHash: string) => boolean,
    agent: Omit<AgentRow, 'labels' | 'revokedAt' | 'lastSeen' | 'intervalMs'>,
    now: Date,
  ): Promise<EnrollOutcome> {
    return this.db.transaction((): EnrollOutcome => {
      const token = this.#s.enrollmentToken.get(tokenId)
      if (!token || !matches(token.secret_hash)) return { ok: false, reason: 'unknown' }
      if (token.used_at !== null) return { ok: false, reason: 'used' }
      if (Date.parse(token.expires_at) <= now.getTime()) return { ok: false, reason: 'expired' }
      this.#s.spendEnrollmentToken.run(now.toISOString(), agent.id, tokenId)
      this.#s.insertAgent.run({ ...agent, labels: token.labels })
      return { ok: true, labels: labelsSchema.parse(JSON.parse(token.labels)) }
    }).immediate()
  }

  async findAgent(id: string): Promise<AgentRow | null> {
    const row = this.#s.agent.get(id)
    return row ? toAgent(row) : null
  }

  async listAgents(): Promise<AgentRow[]> {
    return this.#s.agents.all().map(toAgent)
  }

  async revokeAgent(id: string, now: Date): Promise<boolean> {
    return this.#s.revokeAgent.run(now.toISOString(), id).changes > 0
  }

  async revokedAgentsSince(since: string): Promise<string[]> {
    return this.#s.revokedSince.all(since).map((r) => r.id)
  }

  async touchAgent(id: string, seen: { lastSeen: string; agentVersion?: string; hostname?: string; intervalMs?: number }): Promise<void> {
    this.#s.touchAgent.run({ id, lastSeen: seen.lastSeen, agentVersion: seen.agentVersion ?? null, hostname: seen.hostname ?? null, intervalMs: seen.intervalMs ?? null })
  }

  async touchAgents(touches: ReadonlyMap<string, { lastSeen: string; agentVersion?: string; hostname?: string; intervalMs?: number }>): Promise<void> {
    this.db.transaction(() => {
      for (const [id, seen] of touches) this.#s.touchAgent.run({ id, lastSeen: seen.lastSeen, agentVersion: seen.agentVersion ?? null, hostname: seen.hostname ?? null, intervalMs: seen.intervalMs ?? null })
    })()
  }

  async createApiToken(row: ApiTokenRow): Promise<void> {
    this.#s.insertApiToken.run({ id: row.id, secretHash: row.secretHash, role: row.role, name: row.name, createdAt: row.createdAt })
  }

  async findApiToken(id: string): Promise<ApiTokenRow | null> {
    const row = this.#s.apiToken.get(id)
    return row ? { id: row.id, secretHash: row.secret_hash, role: row.role, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at } : null
  }

  async createUser(row: Omit<UserRow, 'id'>): Promise<number> {
    const result = this.#s.insertUser.run({ username: row.username, role: row.role, passwordHash: row.passwordHash, mustChange: row.mustChangePassword ? 1 : 0, createdAt: row.createdAt })
    return Number(result.lastInsertRowid)
  }

  async findUser(username: string): Promise<UserRow | null> {
    const row = this.#s.user.get(username)
    return row
      ? { id: row.id, username: row.username, role: row.role, passwordHash: row.password_hash, mustChangePassword: row.must_change_password === 1, createdAt: row.created_at }
      : null
  }

  async ingest(items: readonly IngestItem[]): Promise<IngestResult[]> {
    return this.#ingest.storeBatch(items)
  }

  async setNodeOffline(nodeId: string, since: string | null): Promise<void> {
    this.#s.setNodeOffline.run(since, nodeId)
  }

  listNodes = async () => this.#queries.listNodes()
  getNode = async (id: string) => this.#queries.getNode(id)
  latestReport = async (nodeId: string) => this.#queries.latestReport(nodeId)
  nodeFindings = async (nodeId: string, filter: Parameters<Store['nodeFindings']>[1]) => this.#queries.nodeFindings(nodeId, filter)
  nodeHistory = async (nodeId: string, limit: number) => this.#queries.nodeHistory(nodeId, limit)
  fleetFindings = async (filter: Parameters<Store['fleetFindings']>[0]) => this.#queries.fleetFindings(filter)
  nodesToRescore = async (scoredWith: string, limit: number) => this.#queries.nodesToRescore(scoredWith, limit)

  async listWaivers(): Promise<Waiver[]> {
    return this.#s.waivers.all().map((row) => waiverSchema.parse(JSON.parse(row.spec)))
  }

  async putWaiver(waiver: Waiver, now: Date): Promise<void> {
    this.#s.putWaiver.run(waiver.id, JSON.stringify(waiverSchema.parse(waiver)), now.toISOString())
  }

  async deleteWaiver(id: string): Promise<boolean> {
    return this.#s.deleteWaiver.run(id).changes > 0
  }

  async backup(path: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options
    signal?.throwIfAborted()
    // better-sqlite3 copies a step of pages per event-loop turn (100, its default, kept here)
    // and calls `progress` between turns; throwing there ends the backup and deletes the file it created.
    await this.db.backup(path, {
      progress: () => {
        signal?.throwIfAborted()
        return 100
      },
    })
  }
}
