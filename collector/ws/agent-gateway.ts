import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { WebSocketServer, type WebSocket } from 'ws'
import { closeCodes } from '../../agent/wire/close-codes.js'
import { agentStreamPath } from '../../agent/wire/enrollment.js'
import { protocolVersion, type CollectorMessage } from '../../agent/wire/messages.js'
import { errorMessage } from '../../rules/posture-error.js'
import { parseToken, secretMatches } from '../auth/secret-token.js'
import type { AgentRow, Store } from '../store/store.js'
import { AgentSession, type SessionHandlers, type SessionLimits } from './agent-session.js'
import { AgentTouches } from './agent-touches.js'

/**
 * Where agents connect: authenticates in the HTTP `upgrade` event (before any WebSocket
 * exists — never ws's verifyClient), keeps one session per agent, pings them, and closes
 * a revoked agent's connection (DESIGN.md, "Wire protocol").
 */
export interface GatewayOptions extends SessionLimits {
  maxPayloadBytes: number
  heartbeatMs: number
}

/** Told when a session opens and closes (the cluster records where each agent is connected). */
export interface SessionHooks {
  opened(session: AgentSession): void
  closed(session: AgentSession): void
}

export class AgentGateway {
  readonly #wss: WebSocketServer
  readonly #store: Store
  readonly #log: Logger
  readonly #handlers: SessionHandlers
  readonly #options: GatewayOptions
  readonly #clock: () => number
  readonly #hooks: SessionHooks | undefined
  readonly #sessions = new Map<string, AgentSession>()
  /** Last-seen times, written in batches. */
  readonly touches: AgentTouches
  #heartbeat: NodeJS.Timeout | null = null

  constructor(store: Store, handlers: SessionHandlers, options: GatewayOptions, log: Logger, clock: () => number = Date.now, hooks?: SessionHooks) {
    this.#store = store
    this.#hooks = hooks
    this.#handlers = handlers
    this.#options = options
    this.#log = log
    this.#clock = clock
    this.touches = new AgentTouches(store, log)
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, perMessageDeflate: false })
  }

  /** The server's `upgrade` listener. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (err) => this.#log.debug({ err: errorMessage(err) }, 'upgrade socket error'))
    this.#authenticate(req).then(
      (agent) => {
        if (socket.destroyed) return
        if (typeof agent === 'string') return refuse(socket, agent === 'not found' ? 404 : 401, agent, this.#log, req)
        this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, agent, socket))
      },
      (err: unknown) => {
        this.#log.error({ err: errorMessage(err) }, 'agent authentication failed')
        refuse(socket, 503, 'the collector cannot check credentials right now', this.#log, req)
      },
    )
  }

  async #authenticate(req: IncomingMessage): Promise<AgentRow | string> {
    const path = (req.url ?? '').split('?')[0]
    if (path !== agentStreamPath) return 'not found'
    const header = req.headers.authorization ?? ''
    const credential = parseToken('pa1', header.replace(/^Bearer\s+/i, ''))
    if (!header.match(/^Bearer\s+/i) || !credential) return 'missing or malformed agent credential'
    const agent = await this.#store.findAgent(credential.id)
    if (!agent || !secretMatches(credential.secret, agent.secretHash)) return 'unknown agent credential'
    if (agent.revokedAt !== null) return 'agent credential revoked'
    return agent
  }

  #accept(ws: WebSocket, agent: AgentRow, socket: Duplex): void {
    const log = this.#log.child({ agentId: agent.id })
    const session = new AgentSession(ws, agent, this.#handlers, this.#options, log, this.#clock)
    session.meterBytes(socket)
    const previous = this.#sessions.get(agent.id)
    this.#sessions.set(agent.id, session)
    if (previous) previous.reject('REPLACED', 'a newer connection with this credential took over')
    log.info('agent connected')
    this.#hooks?.opened(session)
    session.onClose((code) => {
      if (this.#sessions.get(agent.id) === session) {
        this.#sessions.delete(agent.id)
        this.#hooks?.closed(session)
      }
      log.info({ closeCode: code }, 'agent disconnected')
      this.touches.touch(agent.id, { lastSeen: new Date(this.#clock()).toISOString() })
    })
  }

  start(): void {
    if (this.#heartbeat) return
    this.#heartbeat = setInterval(() => {
      for (const session of this.#sessions.values()) session.ping()
    }, this.#options.heartbeatMs)
    this.#heartbeat.unref()
  }

  session(agentId: string): AgentSession | undefined {
    const session = this.#sessions.get(agentId)
    return session?.open ? session : undefined
  }

  sessions(): AgentSession[] {
    return [...this.#sessions.values()].filter((s) => s.open)
  }

  send(agentId: string, message: CollectorMessage): boolean {
    const session = this.session(agentId)
    if (!session) return false
    session.send(message)
    return true
  }

  /** Closes a revoked agent's connection at once (close code 4003). */
  closeRevoked(agentId: string): boolean {
    const session = this.#sessions.get(agentId)
    if (!session) return false
    session.reject('CREDENTIAL_REVOKED', 'this agent credential was revoked; join again with a new token')
    return true
  }

  /** Says goodbye (1001) to every agent and stops; agents reconnect with backoff. */
  async close(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat)
    this.#heartbeat = null
    for (const client of this.#wss.clients) {
      client.send(JSON.stringify({ v: protocolVersion, type: 'error', code: 'GOING_AWAY', message: 'collector shutting down' }))
      client.close(closeCodes.GOING_AWAY, 'GOING_AWAY')
    }
    // Give close frames a moment to go out; terminate whatever lingers.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const client of this.#wss.clients) client.terminate()
        resolve()
      }, 1_000)
      timer.unref()
      if (this.#wss.clients.size === 0) {
        clearTimeout(timer)
        resolve()
        return
      }
      for (const client of this.#wss.clients) {
        client.once('close', () => {
          if (this.#wss.clients.size === 0) {
            clearTimeout(timer)
            resolve()
          }
        })
      }
    })
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()))
    await this.touches.close()
  }
}

const statusText: Record<number, string> = { 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' }

/** Refuses an upgrade with a plain HTTP answer: no WebSocket is ever created for it. */
function refuse(socket: Duplex, status: number, reason: string, log: Logger, req: IncomingMessage): void {
  log.warn({ status, reason, remoteAddress: req.socket.remoteAddress }, 'agent upgrade refused')
  const body = JSON.stringify({ error: { code: status === 401 ? 'UNAUTHENTICATED' : status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE', message: reason } })
  socket.end(
    `HTTP/1.1 ${status} ${statusText[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      (status === 401 ? 'WWW-Authenticate: Bearer realm="posture-agents"\r\n' : '') +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}
