import pg from 'pg'
import type { Logger } from 'pino'
import { errorMessage } from '../../rules/posture-error.js'

export interface PgListenerOptions {
  url: string
  channel: string
  onNotice(payload: string): void
  /** Called after each (re)connection, once LISTEN is in place: notices may have been missed while down. */
  onConnected(reconnect: boolean): void
  log: Logger
  /** Reconnect backoff: doubles from `baseMs` up to `maxMs`. */
  backoff?: { baseMs: number; maxMs: number }
  applicationName?: string
}

/**
 * A dedicated PostgreSQL connection that LISTENs on one channel (never a pooled one: a
 * pooled connection may be handed back and LISTEN is per session). When the connection
 * breaks (server restart, network, idle kill) it reconnects with backoff and LISTENs again.
 */
export class PgListener {
  readonly #options: PgListenerOptions
  #client: pg.Client | null = null
  #timer: NodeJS.Timeout | null = null
  #attempt = 0
  #everConnected = false
  #closed = false

  constructor(options: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.channel)) throw new RangeError(`channel must be a lowercase SQL identifier, got ${JSON.stringify(options.channel)}`)
    this.#options = options
  }

  /** Connects and listens; resolves after the first LISTEN (rejects if the first connection fails). */
  async start(): Promise<void> {
    await this.#connect()
  }

  get connected(): boolean {
    return this.#client !== null
  }

  async #connect(): Promise<void> {
    const { url, channel, log } = this.#options
    const client = new pg.Client({ connectionString: url, application_name: this.#options.applicationName ?? 'posture-cluster-listen', keepAlive: true })
    client.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload !== undefined) this.#options.onNotice(msg.payload)
    })
    const lost = (err?: Error) => {
      if (this.#client !== client) return
      this.#client = null
      client.removeAllListeners('notification')
      client.end().catch(() => undefined)
      if (this.#closed) return
      log.warn({ err: err ? errorMessage(err) : 'connection ended' }, 'cluster LISTEN connection lost; reconnecting')
      this.#schedule()
    }
    client.on('error', lost)
    client.on('end', () => lost())
    try {
      await client.connect()
      await client.query(`LISTEN ${channel}`)
    } catch (err) {
      client.removeAllListeners()
      // A late 'error' from a half-open socket must not become an unhandled EventEmitter error.
      client.on('error', () => undefined)
      await client.end().catch(() => undefined)
      throw err
    }
    if (this.#closed) {
      await client.end().catch(() => undefined)
      return
    }
    this.#client = client
    this.#attempt = 0
    const reconnect = this.#everConnected
    this.#everConnected = true
    if (reconnect) log.info('cluster LISTEN connection restored')
    this.#options.onConnected(reconnect)
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return
    const { baseMs, maxMs } = this.#options.backoff ?? { baseMs: 100, maxMs: 5_000 }
    const delayMs = Math.min(maxMs, baseMs * 2 ** this.#attempt) * (0.5 + Math.random() / 2)
    this.#attempt++
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#connect().catch((err: unknown) => {
        this.#options.log.warn({ err: errorMessage(err), attempt: this.#attempt }, 'cluster LISTEN reconnect failed')
        this.#schedule()
      })
    }, delayMs)
    this.#timer.unref()
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    const client = this.#client
    this.#client = null
    if (client) await client.end().catch(() => undefined)
  }
}
