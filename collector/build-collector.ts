import type { EventEmitter } from 'node:events'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { pino, type Logger } from 'pino'
import { protocolVersion, type RulesMessage } from '../agent/wire/messages.js'
import { rulesDigest } from '../agent/wire/rules-digest.js'
import { postureVersion } from '../agent/version.js'
import { loadRuleSet, type RuleSet } from '../rules/load-rules.js'
import { PostureError, errorMessage } from '../rules/posture-error.js'
import type { Waiver } from '../rules/waivers.js'
import { createAgentHandlers, scoredWith, type ScoringState } from './agent-handlers.js'
import { Backups } from './backup-schedule.js'
import { scheduleRetention } from './retention-schedule.js'
import { prepareRetention, type PruneResult } from './store/sqlite-retention.js'
import { preparePgRetention } from './store/pg/pg-retention.js'
import { loadOrCreateTlsIdentity, type TlsIdentity } from './certificate/self-signed-cert.js'
import { databasePath, settingKeys } from './collector-admin.js'
import type { CollectorConfig } from './collector-config.js'
import type { CollectorContext, CollectorEvents } from './collector-context.js'
import { apiTokenAuthorize, type Authorize } from './http/api-auth.js'
import { sendError } from './http/http-errors.js'
import { registerAgentRoutes } from './http/routes/api-agents.js'
import { registerFleetRoutes } from './http/routes/api-fleet.js'
import { registerNodeRoutes } from './http/routes/api-nodes.js'
import { registerPlaceholderPage } from './http/routes/placeholder-page.js'
import { mozillaIntermediateCiphers, registerSecurityHeaders } from './http/security-headers.js'
import { IngestQueue } from './ingest/ingest-queue.js'
import { attachIsolationProbes } from './isolation/isolation-planner.js'
import { isOnline } from './liveness.js'
import { rescoreStaleNodes } from './rescore.js'
import { lockDataDir } from './store/data-dir-lock.js'
import { openCollectorStore, type OpenedStore } from './store/open-store.js'
import { backendFor } from './store/open-backend.js'
import type { Store } from './store/store.js'
import type { Backend } from './store/backend.js'
import { sqliteBackend } from './store/sqlite-backend.js'
import { SqliteStore } from './store/sqlite-store.js'
import { AgentGateway } from './ws/agent-gateway.js'
import type { Cluster, LocalSessions } from './cluster/cluster.js'
import { clusterFor } from './cluster/open-cluster.js'
import { followRuleReloads } from './cluster/follow-rule-reloads.js'
import { whenLeading } from './cluster/when-leading.js'
import { checkSharedFiles, tlsFilePaths } from './cluster/shared-files-check.js'

/**
 * The collector as an object (fastify's app-factory habit): builds the store, the HTTP
 * app, the agent gateway and the background jobs, and never listens — `start(...)` does,
 * and only the CLI calls it. `close()` undoes everything, in order.
 */
export interface Collector {
  app: FastifyInstance
  /** The SQLite store, on a SQLite collector (tests read its file); on PostgreSQL it throws: use `backend.store`. */
  store: SqliteStore
  /** Every store of the collector's database, for its backend (collector/store/backend.ts). */
  backend: Backend
  gateway: AgentGateway
  tls: TlsIdentity | null
  config: Readonly<CollectorConfig>
  events: EventEmitter<CollectorEvents>
  cluster: Cluster
  log: Logger
  scoring(): ScoringState
  /**
   * Listens, records the URL agents should use, starts the background jobs; returns the URL.
   * `fallbackToFreePort`: when the configured port is taken, take any free one (npm start).
   */
  start(options?: { fallbackToFreePort?: boolean }): Promise<string>
  url(): string | null
  revokeAgent(agentId: string): Promise<boolean>
  /** Reloads rule files and waivers; re-scores nodes and pushes the rule pack when they changed. */
  reloadRules(): Promise<{ version: string; changed: boolean; rescored: number }>
  rescore(): Promise<number>
  /** Adds or replaces a waiver, then re-scores the nodes it may change. */
  putWaiver(waiver: Waiver): Promise<number>
  removeWaiver(id: string): Promise<number>
  backup(): Promise<string>
  /** Prunes history now as `retention` configures (the background job does it every intervalMs). */
  pruneHistory(): Promise<PruneResult>
  close(): Promise<void>
}

export interface CollectorDeps {
  logger?: Logger
  clock?: () => Date
  /** Replaces the API-token-only access check (the dashboard adds sessions). */
  authorize?: (backend: Backend) => Authorize
  /** Route modules added by later parts (dashboard, exports), registered after the API. */
  plugins?: ReadonlyArray<(app: FastifyInstance, ctx: CollectorContext) => void | Promise<void>>
  /** The other collectors on the same database (collector/cluster/); default: a cluster of one. */
  cluster?: (sessions: LocalSessions, log: Logger) => Cluster
}

export async function buildCollector(config: Readonly<CollectorConfig>, deps: CollectorDeps = {}): Promise<Collector> {
  const clock = deps.clock ?? (() => new Date())
  const log = deps.logger ?? pino({ level: config.log.level, redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.token', '*.credential', '*.password'], censor: '[redacted]' } })
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
  const lock = lockDataDir(config.dataDir)
  const cleanups: (() => void | Promise<void>)[] = [() => lock.release()]
  try {
    let ruleSet = loadRuleSet({ userDirs: config.rulesDirs })
    // SQLite in the data directory, or PostgreSQL with `database` (issue 14): the same Store, and every subsystem's store beside it.
    const opened = await openCollectorStore(config, ruleSet.scoring, { onIdleError: (err) => log.error({ err: err.message }, 'database connection lost; reconnecting') })
    const backend = backendFor(opened, { dataDir: config.dataDir, policy: ruleSet.scoring, clock })
    cleanups.unshift(() => backend.close())
    const store = opened.store
    const tls = config.tls.insecureHttp
      ? null
      : await loadOrCreateTlsIdentity({ dataDir: config.dataDir, certFile: config.tls.certFile, keyFile: config.tls.keyFile, hostnames: config.tls.hostnames, now: clock() })

    let state: ScoringState = await scoringState(store, ruleSet, config.rulesDirs)
    const scoring = () => state
    const queue = new IngestQueue(store, config.store.maxBatchReports)
    const collectorVersion = postureVersion()
    const handlers = createAgentHandlers({ store, queue, touch: (id, seen) => gateway.touches.touch(id, seen), scoring, collectorVersion, heartbeatMs: config.agents.heartbeatMs, clock, log })
    const { report, hello } = handlers
    handlers.report = async (session, message) => {
      await report(session, message)
      cluster.sessionSeen(session)
      for (const nodeId of session.nodeIds) events.emit('report', { nodeId, scanId: message.scanId })
    }
    handlers.hello = async (session, message) => {
      await hello(session, message)
      cluster.sessionSeen(session)
    }
    const gateway = new AgentGateway(store, handlers, config.agents, log.child({ component: 'agents' }), () => clock().getTime(), {
      opened: (session) => cluster.sessionOpened(session),
      closed: (session) => cluster.sessionClosed(session),
    })
    cleanups.unshift(attachIsolationProbes(handlers, gateway, store, config.isolationProbes, log.child({ component: 'isolation' })))
    const cluster = (deps.cluster ?? clusterFor(store, config.database))(gateway, log.child({ component: 'cluster' }))
    const events = cluster.events
    // Several collectors on PostgreSQL: the same TLS certificate and signing key on each, or refuse to start.
    if (opened.kind === 'postgres') await checkSharedFiles(opened.store.pool, { collectorId: cluster.collectorId, dataDir: config.dataDir, tls, tlsPaths: tlsFilePaths(config.dataDir, config.tls) })

    const app = Fastify({
      loggerInstance: log.child({ component: 'http' }),
      ...(tls ? { https: { cert: tls.certPem, key: tls.keyPem, minVersion: 'TLSv1.2' as const, ciphers: mozillaIntermediateCiphers } } : {}),
      bodyLimit: 1024 * 1024,
      // Never trust X-Forwarded-* unless a proxy is configured (it is not, yet).
      trustProxy: false,
      // On close, drop every connection (idle keep-alives and half-open TLS alike); agents reconnect.
      forceCloseConnections: true,
    }) as unknown as FastifyInstance
    app.server.on('upgrade', gateway.handleUpgrade)
    registerSecurityHeaders(app, tls !== null)
    app.setErrorHandler((err: { statusCode?: number; message: string; code?: string }, request, reply) => {
      const status = err.statusCode ?? 500
      if (status >= 500) request.log.error({ err: err.message }, 'request failed')
      if (status === 413) return sendError(reply, 'PAYLOAD_TOO_LARGE', 'request body too large')
      if (status >= 400 && status < 500) return sendError(reply, 'BAD_REQUEST', err.message)
      return sendError(reply, 'INTERNAL', 'internal error; see the collector log')
    })
    app.setNotFoundHandler((request, reply) => sendError(reply, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`))

    const ctx: CollectorContext = {
      config,
      store,
      backend,
      gateway,
      tls,
      authorize: deps.authorize ? deps.authorize(backend) : apiTokenAuthorize(store),
      scoring,
      collectorVersion,
      clock,
      events,
      cluster,
      isOnline(_nodeId, agentId, intervalMs, lastScanAt) {
        // On this collector or another one on the same database.
        const session = agentId === null ? undefined : cluster.presence(agentId)
        return isOnline(
          {
            connected: session !== undefined,
            connectedAt: session?.connectedAt ?? null,
            lastReportAt: session?.lastReportAt ?? (lastScanAt ? Date.parse(lastScanAt) : null),
            intervalMs: session?.intervalMs ?? intervalMs,
          },
          clock().getTime(),
          config.agents.missedIntervalsOffline,
        )
      },
    }

    const revokeAgent = async (agentId: string) => {
      const revoked = await store.revokeAgent(agentId, clock())
      const closed = gateway.closeRevoked(agentId)
      log.warn({ agentId, closed }, 'agent credential revoked')
      return revoked
    }
    registerNodeRoutes(app, ctx)
    registerFleetRoutes(app, ctx)
    registerAgentRoutes(app, ctx, revokeAgent)
    // The dashboard (issue 10) serves `/` when it is plugged in; the placeholder only without it.
    if (!deps.plugins?.length) registerPlaceholderPage(app, ctx)
    for (const plugin of deps.plugins ?? []) await plugin(app, ctx)

    const retention = opened.kind === 'sqlite' ? prepareRetention(opened.store.db) : preparePgRetention(opened.store.pool)
    // One collector at a time (the others wait, then find nothing stale): never two entries for one change.
    const rescore = () => cluster.exclusively('rescore', () => rescoreStaleNodes({ store, queue, state, now: clock(), log, rescored: (entry) => events.emit('rescore', entry) }))
    const waiversChanged = async () => {
      await store.setSetting('waivers.version', String(state.waiversVersion + 1))
      state = await scoringState(store, ruleSet, config.rulesDirs)
      return rescore()
    }
    // Rule files and waivers read again; the pack pushed to this collector's agents when it changed.
    const reloadLocally = async () => {
      ruleSet = loadRuleSet({ userDirs: config.rulesDirs })
      const before = scoredWith(state)
      state = await scoringState(store, ruleSet, config.rulesDirs)
      const changed = scoredWith(state) !== before
      if (changed && state.rulesPack) for (const session of gateway.sessions()) session.send(state.rulesPack)
      return { version: ruleSet.version, changed }
    }
    // Another collector on the database reloaded: reload here too, for the agents connected here.
    cleanups.unshift(followRuleReloads(events, reloadLocally, log.child({ component: 'cluster' })))
    let listening: string | null = null
    const timers: (() => void)[] = []
    // Closing aborts a backup in flight and waits for its partial file to go, before the store closes.
    const backups = new Backups({ store, dir: join(config.dataDir, 'backups'), keep: config.backup.keep, clock, log })

    const collector: Collector = {
      app,
      get store() {
        return sqliteOnly(opened)
      },
      backend,
      gateway,
      tls,
      config,
      events,
      cluster,
      log,
      scoring,
      url: () => listening,
      revokeAgent,
      rescore,
      backup: () => backups.now(),
      pruneHistory: () => retention.prune(config.retention, clock()),
      async reloadRules() {
        const { changed } = await reloadLocally()
        if (changed) events.emit('rules-reloaded', { version: ruleSet.version })
        const rescored = changed ? await rescore() : 0
        log.info({ version: ruleSet.version, changed, rescored }, 'rules reloaded')
        return { version: ruleSet.version, changed, rescored }
      },
      async putWaiver(waiver) {
        await store.putWaiver(waiver, clock())
        return waiversChanged()
      },
      async removeWaiver(id) {
        if (!(await store.deleteWaiver(id))) return 0
        return waiversChanged()
      },
      async start(options = {}) {
        // Before listening: the plugins' onReady hooks (the scheduler) already ask the cluster.
        await cluster.start()
        try {
          await app.listen({ host: config.listen.host, port: config.listen.port })
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !options.fallbackToFreePort) throw err
          log.warn({ port: config.listen.port }, 'port in use; listening on a free port instead')
          await app.listen({ host: config.listen.host, port: 0 })
        }
        const address = app.server.address()
        const port = typeof address === 'object' && address ? address.port : config.listen.port
        const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host
        listening = `${tls ? 'https' : 'http'}://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`
        await store.setSetting(settingKeys.url, config.publicUrl ?? listening)
        if (tls) await store.setSetting(settingKeys.fingerprint, tls.fingerprint)
        else await store.setSetting(settingKeys.fingerprint, '')
        gateway.start()
        timers.push(watchRevocations(store, gateway, config.agents.revocationPollMs, clock, log))
        // Once per cluster: the collector holding the lease sweeps and backs up (always, alone).
        timers.push(watchLiveness(store, ctx, config.agents.heartbeatMs, log))
        // PostgreSQL is backed up with its own tools (pg_dump, archiving), not by the collector.
        if (opened.kind === 'sqlite') backups.schedule(config.backup.intervalMs, () => cluster.leads())
        timers.push(scheduleRetention(retention.prune, config.retention, clock, log.child({ component: 'retention' }), () => cluster.leads()))
        // Stale nodes re-scored by one collector only: the leader (at start, or when it takes over).
        timers.push(whenLeading(cluster, () => rescore().catch((err: unknown) => log.error({ err: errorMessage(err) }, 'rescoring failed'))))
        log.info({ url: listening, fingerprint: tls?.fingerprint ?? null }, 'collector listening')
        return listening
      },
      async close() {
        for (const stop of timers.splice(0)) stop()
        await backups.close()
        await gateway.close()
        await app.close()
        await cluster.close()
        for (const cleanup of cleanups.splice(0)) await cleanup()
      },
    }
    return collector
  } catch (err) {
    for (const cleanup of cleanups.splice(0)) await cleanup()
    throw err
  }
}

async function scoringState(store: Store, ruleSet: RuleSet, rulesDirs: readonly string[]): Promise<ScoringState> {
  const waivers = await store.listWaivers()
  const waiversVersion = Number((await store.getSetting('waivers.version')) ?? '0')
  return { ruleSet, waivers, waiversVersion, rulesPack: rulesPackOf(ruleSet, rulesDirs) }
}

/** The user rule files, as the `rules` message agents receive (null: built-in rules only). */
function rulesPackOf(ruleSet: RuleSet, rulesDirs: readonly string[]): RulesMessage | null {
  const files: Record<string, string> = {}
  rulesDirs.forEach((dir, index) => {
    for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      // Prefix with the directory's position so that load order (and overrides) survive on the agent.
      files[`${String(index).padStart(2, '0')}-${name}`] = readFileSync(join(dir, name), 'utf8')
    }
  })
  if (Object.keys(files).length === 0) return null
  return { v: protocolVersion, type: 'rules', version: ruleSet.version, digest: rulesDigest(files), files }
}

/** Revocations written by another process (`posture collector revoke`) close connections too. */
function watchRevocations(store: Store, gateway: AgentGateway, everyMs: number, clock: () => Date, log: Logger): () => void {
  let since = clock().toISOString()
  const timer = setInterval(() => {
    const checkedAt = clock().toISOString()
    store
      .revokedAgentsSince(since)
      .then((ids) => {
        since = checkedAt
        for (const id of ids) if (gateway.closeRevoked(id)) log.warn({ agentId: id }, 'closed a revoked agent connection')
      })
      .catch((err: unknown) => log.error({ err: errorMessage(err) }, 'revocation check failed'))
  }, everyMs)
  timer.unref()
  return () => clearInterval(timer)
}

/** Marks nodes offline (and back online) as their agents go silent; emits the transitions. */
function watchLiveness(store: Store, ctx: CollectorContext, everyMs: number, log: Logger): () => void {
  const timer = setInterval(() => {
    if (!ctx.cluster.leads()) return
    store
      .listNodes()
      .then(async (nodes) => {
        const now = ctx.clock().toISOString()
        for (const node of nodes) {
          const online = ctx.isOnline(node.id, node.agentId, node.agentIntervalMs, node.lastScanAt)
          if (!online && node.offlineSince === null) {
            await store.setNodeOffline(node.id, now)
            log.warn({ nodeId: node.id, hostname: node.hostname }, 'node went silent')
            ctx.events.emit('node-offline', { nodeId: node.id })
          } else if (online && node.offlineSince !== null) {
            await store.setNodeOffline(node.id, null)
            ctx.events.emit('node-online', { nodeId: node.id })
          }
        }
      })
      .catch((err: unknown) => log.error({ err: errorMessage(err) }, 'liveness check failed'))
  }, Math.min(everyMs, 60_000))
  timer.unref()
  return () => clearInterval(timer)
}

/** `collector.store` of a SQLite collector; a PostgreSQL one has no SQLite file to offer. */
function sqliteOnly(opened: OpenedStore): SqliteStore {
  if (opened.kind === 'sqlite') return opened.store
  throw new PostureError('BAD_USAGE', 'this collector runs on PostgreSQL; this needs its SQLite store (use collector.backend.store for the Store)')
}
