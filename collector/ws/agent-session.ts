import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import { closeCodes, type CloseReason } from '../../agent/wire/close-codes.js'
import { agentMessageIngestSchema, protocolVersion, type AgentMessage, type CollectorMessage } from '../../agent/wire/messages.js'
import { parseFrame } from '../../agent/wire/parse-frame.js'
import { errorMessage } from '../../rules/posture-error.js'
import type { AgentRow } from '../store/store.js'
import { TokenBucket } from './token-bucket.js'

/**
 * One authenticated agent connection: rate limit, parse, dispatch by message type (a
 * table, not an if-chain), and close with the documented code when the agent misbehaves.
 * What the messages do is the gateway's business (`SessionHandlers`).
 */
export interface SessionHandlers {
  hello(session: AgentSession, message: Extract<AgentMessage, { type: 'hello' }>): Promise<void>
  report(session: AgentSession, message: Extract<AgentMessage, { type: 'report' }>): Promise<void>
  'rules-status'(session: AgentSession, message: Extract<AgentMessage, { type: 'rules-status' }>): Promise<void>
  'scan-failed'(session: AgentSession, message: Extract<AgentMessage, { type: 'scan-failed' }>): Promise<void>
}

export interface SessionLimits {
  messagesPerSecond: number
  messageBurst: number
  bytesPerSecond: number
  burstBytes: number
}

/** How long a connection closed for flooding may linger before it is cut (its close frame may sit behind the flood). */
const floodCloseGraceMs = 1_000

export class AgentSession {
  readonly agent: AgentRow
  readonly log: Logger
  readonly connectedAt: number
  /** Node ids this agent has reported for (normally one). */
  readonly nodeIds = new Set<string>()
  lastReportAt: number | null = null
  intervalMs: number | null = null
  agentVersion: string
  rulesVersion: string | null = null
  alive = true
  readonly #socket: WebSocket
  readonly #bucket: TokenBucket
  readonly #bytes: TokenBucket
  readonly #handlers: SessionHandlers
  readonly #clock: () => number
  #closing = false

  constructor(socket: WebSocket, agent: AgentRow, handlers: SessionHandlers, limits: SessionLimits, log: Logger, clock: () => number) {
    this.#socket = socket
    this.agent = agent
    this.agentVersion = agent.agentVersion
    this.#handlers = handlers
    this.log = log
    this.#clock = clock
    this.connectedAt = clock()
    this.#bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, this.connectedAt)
    this.#bytes = new TokenBucket(limits.bytesPerSecond, limits.burstBytes, this.connectedAt)
    socket.on('message', (data, isBinary) => this.#receive(data, isBinary))
    socket.on('pong', () => {
      this.alive = true
    })
    socket.on('error', (err) => {
      // ws reports protocol errors here (e.g. 1009 for a frame over maxPayload) and closes the socket itself.
      this.log.warn({ err: errorMessage(err), code: (err as { code?: string }).code }, 'agent connection error')
    })
  }

  get open(): boolean {
    return !this.#closing && this.#socket.readyState === this.#socket.OPEN
  }

  send(message: CollectorMessage): void {
    if (this.open) this.#socket.send(JSON.stringify(message))
  }

  /** Sends an error frame naming `reason`, then closes with its code. */
  reject(reason: CloseReason, detail: string): void {
    if (this.#closing) return
    this.log.warn({ reason, closeCode: closeCodes[reason], detail }, 'closing agent connection')
    this.send({ v: protocolVersion, type: 'error', code: reason, message: detail })
    this.#closing = true
    this.#socket.close(closeCodes[reason], reason)
  }

  ping(): void {
    if (!this.alive) {
      this.log.warn('agent missed a heartbeat; terminating the connection')
      this.#closing = true
      this.#socket.terminate()
      return
    }
    this.alive = false
    this.#socket.ping()
  }

  /**
   * Meters the connection's bytes as they come off the socket (before ws assembles frames),
   * so floods of fragments or pings count too; over the byte rate → BYTE_RATE_LIMITED (4009).
   */
  meterBytes(socket: { on(event: 'data', listener: (chunk: Buffer) => void): unknown }): void {
    socket.on('data', (chunk: Buffer) => {
      if (this.#closing || this.#bytes.take(this.#clock(), chunk.length)) return
      this.reject('BYTE_RATE_LIMITED', 'too many bytes too fast; slow down')
      // A flooding peer's close frame may sit behind megabytes of data: do not wait for it.
      setTimeout(() => this.#socket.terminate(), floodCloseGraceMs).unref()
    })
  }

  onClose(listener: (code: number) => void): void {
    this.#socket.on('close', (code) => listener(code))
  }

  #receive(data: unknown, isBinary: boolean): void {
    if (this.#closing) return
    if (!this.#bucket.take(this.#clock())) return this.reject('RATE_LIMITED', 'too many messages; slow down')
    if (isBinary) return this.reject('BAD_MESSAGE', 'binary frames are not part of the protocol; send JSON text')
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')
    const parsed = parseFrame(text, agentMessageIngestSchema)
    if (!parsed.ok) return this.reject(parsed.reason, parsed.detail)
    const message = parsed.message
    const handler = this.#handlers[message.type] as (session: AgentSession, message: AgentMessage) => Promise<void>
    handler(this, message).catch((err: unknown) => {
      this.log.error({ err: errorMessage(err), type: message.type }, 'agent message failed')
      this.reject('INTERNAL_ERROR', 'the collector could not process the message; resend later')
    })
  }
}
