import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { hostname } from 'node:os'
import type { Logger } from 'pino'
import type { CollectorMessage } from '../../agent/wire/messages.js'
import { errorMessage } from '../../rules/posture-error.js'
import type { CollectorEvents } from '../collector-context.js'
import { pgAdvisoryLocks } from '../store/pg/pg-advisory-locks.js'
import type { PgPool } from '../store/pg/pg-pool.js'
import { presenceOf, type AgentPresence, type Cluster, type ClusterLockName, type LocalSessions, type SessionView } from './cluster.js'
import { clusterChannel, clusterEventNames, encodeNotice, maxNoticeBytes, parseNotice, type ClusterEvent, type ClusterNotice } from './cluster-notice.js'
import { ensurePgClusterSchema } from './pg-cluster-schema.js'
import { PgListener } from './pg-listener.js'
import { PresenceWrites } from './presence-writes.js'

export interface PgClusterOptions {
  pool: PgPool
  /** The database URL, for the dedicated LISTEN connection. */
  url: string
  sessions: LocalSessions
  log: Logger
  collectorId?: string
  /** How often this collector says it is alive, renews or seeks the lease and re-reads presence. */
  heartbeatMs?: number
  /** A collector not heard of for this long is gone: its agents are not connected anywhere. */
  memberTtlMs?: number
  /** The leader lease's length; renewed every heartbeat. */
  leaseTtlMs?: number
  /** How long a command waits for the collector holding the agent to confirm it sent it. */
  commandTimeoutMs?: number
  /** Events are gathered this long into one NOTIFY. */
  eventBatchMs?: number
}

export const pgClusterDefaults = { heartbeatMs: 2_000, memberTtlMs: 10_000, leaseTtlMs: 10_000, commandTimeoutMs: 3_000, eventBatchMs: 10 } as const

/**
 * Several collectors on one PostgreSQL (issue 14). Events and agent commands travel by
 * LISTEN/NOTIFY on a dedicated, reconnecting connection; where each agent is connected is
 * a row per agent (written in batches) beside a heartbeat row per collector; the leader is
 * whoever holds the `leader` lease row (renewed each heartbeat, taken over when it
 * expires, judged by the server's clock); once-only claims are rows with a unique key.
 */
export class PgCluster implements Cluster {
  readonly collectorId: string
  readonly events = new EventEmitter<CollectorEvents>()
  readonly #pool: PgPool
  readonly #sessions: LocalSessions
  readonly #log: Logger
  readonly #o: Required<Omit<PgClusterOptions, 'pool' | 'url' | 'sessions' | 'log' | 'collectorId'>>
  readonly #listener: PgListener
  readonly #writes: PresenceWrites
  #remote = new Map<string, AgentPresence>()
  readonly #waiting = new Map<string, (delivered: boolean) => void>()
  #outbox: ClusterEvent[] = []
  #outboxTimer: NodeJS.Timeout | null = null
  #leaderUntil = 0
  #peers = 0
  #heartbeat: NodeJS.Timeout | null = null
  #reloadTimer: NodeJS.Timeout | null = null
  #ticking: Promise<void> | null = null
  #started = false
  #closed = false

  constructor(options: PgClusterOptions) {
    this.#pool = options.pool
    this.#sessions = options.sessions
    this.collectorId = options.collectorId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`
    this.#log = options.log.child({ collectorId: this.collectorId })
    this.#o = {
      heartbeatMs: options.heartbeatMs ?? pgClusterDefaults.heartbeatMs,
      memberTtlMs: options.memberTtlMs ?? pgClusterDefaults.memberTtlMs,
      leaseTtlMs: options.leaseTtlMs ?? pgClusterDefaults.leaseTtlMs,
      commandTimeoutMs: options.commandTimeoutMs ?? pgClusterDefaults.commandTimeoutMs,
      eventBatchMs: options.eventBatchMs ?? pgClusterDefaults.eventBatchMs,
    }
    if (this.#o.leaseTtlMs <= this.#o.heartbeatMs) throw new RangeError('PgCluster: leaseTtlMs must be longer than heartbeatMs (the lease is renewed every heartbeat)')
    this.#listener = new PgListener({
      url: options.url,
      channel: clusterChannel,
      log: this.#log,
      onNotice: (payload) => this.#receive(payload),
      // Notices sent while the connection was down are lost: re-read presence at once, and
      // reload the rule files in case a collector announced a reload meanwhile (no collectorId: a catch-up).
      onConnected: (reconnect) => {
        if (!reconnect) return
        this.#reloadSoon(0)
        this.events.emit('rules-reloaded', { version: '', remote: true })
      },
    })
    this.#writes = new PresenceWrites(this.#pool, this.collectorId, this.#log, () => this.#notify({ o: this.collectorId, t: 'presence' }))
    for (const name of clusterEventNames) {
      this.events.on(name, (event: { nodeId: string; scanId?: string; remote?: true }) => {
        if (!event.remote) this.#queueEvent({ name, nodeId: event.nodeId, ...(event.scanId !== undefined ? { scanId: event.scanId } : {}) })
      })
    }
    this.events.on('rules-reloaded', (event) => {
      if (!event.remote) void this.#notify({ o: this.collectorId, t: 'rules', version: event.version })
    })
  }

  async start(): Promise<void> {
    if (this.#started) return
    this.#started = true
    await ensurePgClusterSchema(this.#pool)
    await this.#pool.query('INSERT INTO cluster_members (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET seen_at = now()', [this.collectorId])
    await this.#listener.start()
    await this.#tick()
    this.#heartbeat = setInterval(() => void this.#tickOnce(), this.#o.heartbeatMs)
    this.#heartbeat.unref()
    this.#log.info({ leads: this.leads() }, 'joined the collector cluster')
  }

  async sendToAgent(agentId: string, message: CollectorMessage): Promise<boolean> {
    const local = this.#sessions.session(agentId)
    if (local) {
      local.send(message)
      return true
    }
    if (!this.#remote.has(agentId)) return false
    const id = randomUUID()
    const delivered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), this.#o.commandTimeoutMs)
      timer.unref()
      const finish = (ok: boolean) => {
        clearTimeout(timer)
        this.#waiting.delete(id)
        resolve(ok)
      }
      this.#waiting.set(id, finish)
    })
    try {
      await this.#notifyNow({ o: this.collectorId, t: 'command', id, agentId, message })
    } catch (err) {
      this.#waiting.get(id)?.(false)
      this.#log.error({ err: errorMessage(err), agentId }, 'could not pass a command to the collector holding the agent')
    }
    return delivered
  }

  presence(agentId: string): AgentPresence | undefined {
    const local = this.#sessions.session(agentId)
    return local ? presenceOf(local, this.collectorId) : this.#remote.get(agentId)
  }

  sessionOpened(session: SessionView): void {
    this.#writes.put(session.agent.id, presenceOf(session, this.collectorId))
  }

  sessionSeen(session: SessionView): void {
    this.#writes.put(session.agent.id, presenceOf(session, this.collectorId))
  }

  sessionClosed(session: SessionView): void {
    this.#writes.put(session.agent.id, null)
  }

  async claimOnce(name: string, key: string): Promise<boolean> {
    const result = await this.#pool.query('INSERT INTO cluster_claims (name, key, holder) VALUES ($1, $2, $3) ON CONFLICT (name, key) DO NOTHING', [name, key, this.collectorId])
    return result.rowCount === 1
  }

  /** A PostgreSQL session advisory lock on a connection held for the job: a dead collector's lock goes with its connection. */
  async exclusively<T>(name: ClusterLockName, job: () => Promise<T>): Promise<T> {
    const key = pgAdvisoryLocks[name]
    const client = await this.#pool.connect()
    let clean = false
    try {
      // The wait may outlast the pool's statement timeout (another collector re-scoring thousands of nodes).
      await client.query('SET statement_timeout = 0')
      await client.query('SELECT pg_advisory_lock($1)', [key])
      try {
        await client.query('RESET statement_timeout')
        return await job()
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [key])
        clean = true
      }
    } finally {
      // A connection that may still hold the lock, or wait without a timeout, is closed rather than pooled.
      client.release(clean ? undefined : new Error('advisory lock connection discarded'))
    }
  }

  leads(): boolean {
    return Date.now() < this.#leaderUntil
  }

  peers(): number {
    return this.#peers
  }

  async liveMembers(): Promise<string[]> {
    const { rows } = await this.#pool.query<{ id: string }>("SELECT id FROM cluster_members WHERE seen_at > now() - $1 * interval '1 millisecond'", [this.#o.memberTtlMs])
    // This collector is alive while it asks, even if its own heartbeat is late.
    return [...new Set([this.collectorId, ...rows.map((r) => r.id)])]
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#heartbeat) clearInterval(this.#heartbeat)
    if (this.#reloadTimer) clearTimeout(this.#reloadTimer)
    await this.#ticking
    await this.#flushEvents()
    for (const finish of [...this.#waiting.values()]) finish(false)
    await this.#writes.close()
    if (!this.#started) return
    this.#leaderUntil = 0
    try {
      // Leave at once rather than by expiry: agents elsewhere, the lease, this collector's row.
      await this.#pool.query('DELETE FROM cluster_agent_presence WHERE collector_id = $1', [this.collectorId])
      await this.#pool.query("DELETE FROM cluster_leases WHERE name = 'leader' AND holder = $1", [this.collectorId])
      await this.#pool.query('DELETE FROM cluster_members WHERE id = $1', [this.collectorId])
      await this.#notifyNow({ o: this.collectorId, t: 'presence' })
    } catch (err) {
      this.#log.warn({ err: errorMessage(err) }, 'could not leave the cluster cleanly; the others notice by expiry')
    }
    await this.#listener.close()
  }

  #tickOnce(): Promise<void> {
    this.#ticking ??= this.#tick()
      .catch((err: unknown) => this.#log.error({ err: errorMessage(err) }, 'cluster heartbeat failed'))
      .finally(() => (this.#ticking = null))
    return this.#ticking
  }

  /** Heartbeat, lease, presence; the leader also forgets collectors long gone. */
  async #tick(): Promise<void> {
    if (this.#closed) return
    const started = Date.now()
    await this.#pool.query('INSERT INTO cluster_members (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET seen_at = now()', [this.collectorId])
    const lease = await this.#pool.query(
      `INSERT INTO cluster_leases (name, holder, expires_at) VALUES ('leader', $1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE cluster_leases.holder = excluded.holder OR cluster_leases.expires_at < now()
       RETURNING holder`,
      [this.collectorId, this.#o.leaseTtlMs],
    )
    const wasLeader = this.leads()
    // Lead a heartbeat less than the lease lasts, counted from before the query: never past the server's expiry.
    this.#leaderUntil = lease.rowCount === 1 && !this.#closed ? started + this.#o.leaseTtlMs - this.#o.heartbeatMs : 0
    if (this.leads() !== wasLeader) this.#log.info({ leads: this.leads() }, this.leads() ? 'this collector now runs the once-per-cluster jobs' : 'another collector runs the once-per-cluster jobs')
    await this.#reload()
    if (this.leads()) {
      const gone = `now() - $1 * interval '1 millisecond'`
      await this.#pool.query(`DELETE FROM cluster_agent_presence WHERE collector_id IN (SELECT id FROM cluster_members WHERE seen_at < ${gone})`, [this.#o.memberTtlMs * 6])
      await this.#pool.query(`DELETE FROM cluster_members WHERE seen_at < ${gone}`, [this.#o.memberTtlMs * 6])
      await this.#pool.query("DELETE FROM cluster_claims WHERE claimed_at < now() - interval '30 days'")
    }
  }

  /** Presence of agents on the other live collectors. */
  async #reload(): Promise<void> {
    const { rows } = await this.#pool.query<{ agent_id: string; collector_id: string; connected_at: number; last_report_at: number | null; interval_ms: number | null }>(
      `SELECT p.agent_id, p.collector_id, p.connected_at, p.last_report_at, p.interval_ms
       FROM cluster_agent_presence p JOIN cluster_members m ON m.id = p.collector_id
       WHERE p.collector_id <> $1 AND m.seen_at > now() - $2 * interval '1 millisecond'`,
      [this.collectorId, this.#o.memberTtlMs],
    )
    const remote = new Map<string, AgentPresence>()
    for (const r of rows) {
      remote.set(r.agent_id, { agentId: r.agent_id, collectorId: r.collector_id, connectedAt: Number(r.connected_at), lastReportAt: r.last_report_at === null ? null : Number(r.last_report_at), intervalMs: r.interval_ms === null ? null : Number(r.interval_ms) })
    }
    this.#remote = remote
    const members = await this.#pool.query<{ peers: number }>(`SELECT count(*) AS peers FROM cluster_members WHERE id <> $1 AND seen_at > now() - $2 * interval '1 millisecond'`, [this.collectorId, this.#o.memberTtlMs])
    this.#peers = Number(members.rows[0]?.peers ?? 0)
  }

  #reloadSoon(delayMs = 25): void {
    if (this.#reloadTimer || this.#closed) return
    this.#reloadTimer = setTimeout(() => {
      this.#reloadTimer = null
      this.#reload().catch((err: unknown) => this.#log.warn({ err: errorMessage(err) }, 'could not re-read agent presence'))
    }, delayMs)
    this.#reloadTimer.unref()
  }

  #receive(payload: string): void {
    const notice = parseNotice(payload)
    if (!notice) return void this.#log.warn({ bytes: payload.length }, 'ignored a malformed cluster notice')
    if (notice.o === this.collectorId) return
    handlers[notice.t](this, notice as never)
  }

  static handle = {
    event: (cluster: PgCluster, notice: Extract<ClusterNotice, { t: 'event' }>) => {
      for (const e of notice.events) {
        // A re-score's cause stays with the collector that re-scored (it alone alerts on it); copies refresh live views.
        if (e.name === 'report' || e.name === 'scan-requested' || e.name === 'rescore') cluster.events.emit(e.name, { nodeId: e.nodeId, scanId: e.scanId ?? '', remote: true })
        else cluster.events.emit(e.name, { nodeId: e.nodeId, remote: true })
      }
    },
    presence: (cluster: PgCluster) => cluster.#reloadSoon(),
    command: (cluster: PgCluster, notice: Extract<ClusterNotice, { t: 'command' }>) => {
      const session = cluster.#sessions.session(notice.agentId)
      if (!session) return
      session.send(notice.message)
      cluster.#notify({ o: cluster.collectorId, t: 'delivered', id: notice.id })
    },
    delivered: (cluster: PgCluster, notice: Extract<ClusterNotice, { t: 'delivered' }>) => cluster.#waiting.get(notice.id)?.(true),
    rules: (cluster: PgCluster, notice: Extract<ClusterNotice, { t: 'rules' }>) => cluster.events.emit('rules-reloaded', { version: notice.version, collectorId: notice.o, remote: true }),
  }

  #queueEvent(event: ClusterEvent): void {
    this.#outbox.push(event)
    // About 100 bytes an event: stay well under NOTIFY's limit.
    if (this.#outbox.length >= Math.floor(maxNoticeBytes / 200)) return void this.#flushEvents()
    this.#outboxTimer ??= setTimeout(() => void this.#flushEvents(), this.#o.eventBatchMs)
  }

  async #flushEvents(): Promise<void> {
    if (this.#outboxTimer) clearTimeout(this.#outboxTimer)
    this.#outboxTimer = null
    if (this.#outbox.length === 0 || !this.#started) return
    const events = this.#outbox
    this.#outbox = []
    await this.#notify({ o: this.collectorId, t: 'event', events })
  }

  /** Fire and forget: a lost live event is logged, never thrown into the caller. */
  #notify(notice: ClusterNotice): Promise<void> {
    return this.#notifyNow(notice).catch((err: unknown) => this.#log.warn({ err: errorMessage(err), notice: notice.t }, 'could not notify the other collectors'))
  }

  async #notifyNow(notice: ClusterNotice): Promise<void> {
    await this.#pool.query('SELECT pg_notify($1, $2)', [clusterChannel, encodeNotice(notice)])
  }
}

const handlers = PgCluster.handle as { [T in ClusterNotice['t']]: (cluster: PgCluster, notice: Extract<ClusterNotice, { t: T }>) => void }
