import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import type { Domain } from '../rules/domain-names.js'
import { errorMessage } from '../rules/posture-error.js'
import type { Host } from './host/host.js'
import type { ScanConfig } from './scan-config.js'
import type { ScanRunner } from './scan-runner.js'
import { Spool, type SpoolLimits } from './spool.js'
import type { AgentState } from './agent-state.js'
import { writeAgentStateFile } from './agent-state-file.js'
import { collectorViewAtEnrollment, collectorViewOf, type CollectorView } from './collector-view.js'
import { openAgentStream } from './agent-transport.js'
import { postureVersion } from './version.js'
import { backoffDelayMs, defaultBackoff, jitteredIntervalMs, type BackoffPolicy } from './wire/backoff.js'
import { fatalCloseCodes } from './wire/close-codes.js'
import { checkCollectorFrame } from './wire/check-collector-message.js'
import type { CollectorMessage, NodeConfigMessage, RulesMessage } from './wire/messages.js'
import { rulesDigest } from './wire/rules-digest.js'

/** Wire protocol version (agent/wire/messages.ts `protocolVersion`; not imported from there, which loads zod). */
const protocolVersion = 1

/**
 * The streaming agent: scans on a jittered interval and on the collector's request, writes
 * every report to the spool before sending, deletes it only on `ack`, replays the spool in
 * order after every reconnect, and reconnects with jittered exponential backoff
 * (DESIGN.md, "Wire protocol"). Events (for the CLI and tests): `connected`, `acked`
 * {scanId, duplicate}, `spooled` {scanId, seq}, `disconnected` {code}, `fatal` {reason},
 * `rules` {version, ok}, `node-config` {labels, group, peers} (the collector's view of the
 * node: its labels for the network policy and the isolation peers its scans probe),
 * `scan-error` {scanId, error} (a scan that produced no report: logged and sent as
 * `scan-failed`; the agent keeps running and scans again at the next interval).
 *
 * This module stays light (no zod, no rule engine, no gatherers: DESIGN.md "Performance
 * targets", idle RSS ≤ 60 MB): scans run through a ScanRunner, which `posture agent` makes
 * a ForkedScanRunner (a child process per scan). Given `host` and `scanConfig` instead,
 * the agent scans in its own process (tests with snapshot hosts, `posture start`).
 */
export type AgentOptions = AgentCommonOptions & ({ scanner: ScanRunner; rulesVersion?: string } | { host: Host; scanConfig: ScanConfig })

interface AgentCommonOptions {
  stateDir: string
  state: AgentState
  domains: readonly Domain[]
  intervalMs: number
  log: Logger
  clock?: () => Date
  random?: () => number
  backoff?: BackoffPolicy
  spoolLimits?: SpoolLimits
  /** Reports in flight (sent, not yet acked) at most. */
  window?: number
  /** Largest report sent; larger ones are dropped with an error (the collector would refuse them). */
  maxReportBytes?: number
  /** Scan right after starting (default true). */
  scanOnStart?: boolean
}

type AgentEvents = {
  connected: []
  acked: [{ scanId: string; duplicate: boolean }]
  spooled: [{ scanId: string; seq: number }]
  disconnected: [{ code: number }]
  fatal: [{ reason: string }]
  rules: [{ version: string; ok: boolean }]
  scanned: [{ scanId: string }]
  'node-config': [{ labels: Readonly<Record<string, string>>; group: string | null; peers: number }]
  'scan-error': [{ scanId: string; error: string }]
}

type ResolvedOptions = Required<Omit<AgentCommonOptions, 'spoolLimits'>>

export class Agent extends EventEmitter<AgentEvents> {
  readonly spool: Spool
  readonly #o: ResolvedOptions
  readonly #runner: Promise<ScanRunner>
  /**
   * Only the version is kept between scans: each scan compiles the rules of the domains it
   * scans and drops them after (idle RSS, DESIGN.md "Performance targets"). Null until the
   * runner has read it; `hello` waits for it.
   */
  #rulesVersion: string | null = null
  #ready: Promise<void>
  /** Scans and rule-pack installs run one at a time, in arrival order: a scan never sees half a pack. */
  #lane: Promise<unknown> = Promise.resolve()
  #socket: WebSocket | null = null
  #connected = false
  #inFlight = new Set<string>()
  #attempt = 0
  #stopped = true
  #reconnectTimer: NodeJS.Timeout | null = null
  #scanTimer: NodeJS.Timeout | null = null
  #watchdog: NodeJS.Timeout | null = null
  #heartbeatMs = 30_000
  #scanning: Promise<void> | null = null
  #queuedScan: { scanId?: string | undefined; only?: readonly Domain[] | undefined } | null = null
  #view: CollectorView

  constructor(options: AgentOptions) {
    super()
    const { stateDir, state, domains, intervalMs, log } = options
    this.#o = {
      clock: options.clock ?? (() => new Date()),
      random: options.random ?? Math.random,
      backoff: options.backoff ?? defaultBackoff,
      window: options.window ?? 8,
      maxReportBytes: options.maxReportBytes ?? 8 * 1024 * 1024,
      scanOnStart: options.scanOnStart ?? true,
      stateDir,
      state,
      domains,
      intervalMs,
      log,
    }
    this.spool = Spool.open(join(stateDir, 'spool'), options.spoolLimits)
    this.#view = collectorViewAtEnrollment(state.labels)
    if ('scanner' in options) {
      this.#runner = Promise.resolve(options.scanner)
      if (options.rulesVersion !== undefined) this.#rulesVersion = options.rulesVersion
    } else {
      const clock = this.#o.clock
      // Imported only here: an agent given a ScanRunner never loads the rule engine or the gatherers.
      this.#runner = import('./in-process-scan-runner.js').then(({ InProcessScanRunner }) => new InProcessScanRunner({ stateDir, host: options.host, scanConfig: options.scanConfig, clock }))
    }
    this.#ready = this.#rulesVersion !== null ? Promise.resolve() : this.#readRulesVersion()
    this.#ready.catch(() => undefined)
  }

  async #readRulesVersion(): Promise<void> {
    this.#rulesVersion = await (await this.#runner).rulesVersion()
  }

  /** The rules version of the next scan ('' until it has been read, right after construction). */
  get rulesVersion(): string {
    return this.#rulesVersion ?? ''
  }

  /** Resolves once the rules version is known (rejects when the installed rules do not load). */
  ready(): Promise<void> {
    return this.#ready
  }

  get connected(): boolean {
    return this.#connected
  }

  start(): void {
    if (!this.#stopped) return
    this.#stopped = false
    this.#connect()
    if (this.#o.scanOnStart) void this.scanNow()
    else this.#scheduleScan()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    for (const timer of [this.#reconnectTimer, this.#scanTimer, this.#watchdog]) if (timer) clearTimeout(timer)
    this.#reconnectTimer = this.#scanTimer = this.#watchdog = null
    // A scan child still running is terminated and awaited (beside the socket's close): nothing outlives the agent.
    const runnerStopped = this.#runner.then((runner) => runner.stop(), () => undefined)
    const socket = this.#socket
    this.#socket = null
    if (socket && socket.readyState !== socket.CLOSED) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
      socket.close(1000, 'agent stopping')
      const timer = setTimeout(() => socket.terminate(), 2_000)
      await closed
      clearTimeout(timer)
    }
    await runnerStopped
    if (this.#scanning) await this.#scanning.catch(() => undefined)
  }

  /** Scans now (or right after the scan in progress), spools the report and sends it. */
  scanNow(scanId?: string, only?: readonly Domain[]): Promise<void> {
    if (this.#scanning) {
      this.#queuedScan = { scanId, only }
      return this.#scanning
    }
    this.#scanning = this.#scan(scanId, only).finally(() => {
      this.#scanning = null
      const next = this.#queuedScan
      this.#queuedScan = null
      if (next && !this.#stopped) void this.scanNow(next.scanId, next.only)
      else this.#scheduleScan()
    })
    return this.#scanning
  }

  async #scan(scanId: string | undefined, only: readonly Domain[] | undefined): Promise<void> {
    const id = scanId ?? randomUUID()
    const domains = only ?? this.#o.domains
    try {
      const runner = await this.#runner
      const outcome = await this.#inLane(() => runner.scan({ scanId: id, domains, view: this.#view }))
      const dropped = this.spool.dropped
      // The report's own fields as the scanner serialized them, after the envelope: no parse, no copy of the object.
      const body = (seq: number) => `{"v":${protocolVersion},"type":"report","seq":${seq},"spoolDropped":${dropped},${outcome.fieldsJson.slice(1)}`
      const size = Buffer.byteLength(body(this.spool.nextSeq))
      if (size > this.#o.maxReportBytes) {
        this.#o.log.error({ scanId: id, bytes: size, maxReportBytes: this.#o.maxReportBytes }, 'report too large to send; dropped')
        this.#sendIfConnected({ v: protocolVersion, type: 'scan-failed', scanId: id, error: `report of ${size} bytes exceeds the ${this.#o.maxReportBytes}-byte limit` })
        return
      }
      const entry = this.spool.append(id, body)
      this.#o.log.info({ scanId: id, seq: entry.seq, score: outcome.score, grade: outcome.grade, ...(outcome.peakRssBytes !== undefined ? { scanPeakRssBytes: outcome.peakRssBytes } : {}), ...(outcome.childCpuMs !== undefined ? { scanChildCpuMs: outcome.childCpuMs } : {}) }, 'scan spooled')
      this.emit('spooled', { scanId: id, seq: entry.seq })
      this.emit('scanned', { scanId: id })
      this.#pump()
    } catch (err) {
      if (this.#stopped) {
        this.#o.log.info({ scanId: id, err: errorMessage(err) }, 'scan interrupted: the agent is stopping')
        return
      }
      this.#o.log.error({ scanId: id, err: errorMessage(err) }, 'scan failed')
      this.#sendIfConnected({ v: protocolVersion, type: 'scan-failed', scanId: id, error: errorMessage(err).slice(0, 4000) })
      this.emit('scan-error', { scanId: id, error: errorMessage(err) })
    }
  }

  #inLane<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#lane.then(work, work)
    this.#lane = run.catch(() => undefined)
    return run
  }

  #scheduleScan(): void {
    if (this.#stopped) return
    if (this.#scanTimer) clearTimeout(this.#scanTimer)
    this.#scanTimer = setTimeout(() => void this.scanNow(), jitteredIntervalMs(this.#o.intervalMs, this.#o.random))
    this.#scanTimer.unref?.()
  }

  #connect(): void {
    if (this.#stopped) return
    const { state } = this.#o
    this.#ready
      .then(() => openAgentStream(state.collectorUrl, state.fingerprint, state.credential, this.#o.maxReportBytes * 2))
      .then((socket) => {
        if (this.#stopped) {
          socket.terminate()
          return
        }
        this.#attach(socket)
      })
      .catch((err: unknown) => {
        if (this.#rulesVersion === null) return this.#fatal(`cannot read the installed rules: ${errorMessage(err)}`)
        this.#o.log.warn({ err: errorMessage(err) }, 'cannot reach the collector')
        this.#retry()
      })
  }

  #attach(socket: WebSocket): void {
    this.#socket = socket
    socket.on('open', () => {
      this.#connected = true
      this.#attempt = 0
      this.#inFlight.clear()
      this.#o.log.info({ collector: this.#o.state.collectorUrl }, 'connected to the collector')
      this.#send({
        v: protocolVersion,
        type: 'hello',
        agentVersion: postureVersion(),
        hostname: hostnameOf(),
        rulesVersion: this.rulesVersion,
        intervalMs: this.#o.intervalMs,
        spool: { pending: this.spool.pending, dropped: this.spool.dropped },
      })
      this.#armWatchdog()
      this.emit('connected')
      this.#pump()
    })
    socket.on('ping', () => this.#armWatchdog())
    socket.on('message', (data, isBinary) => {
      if (isBinary) return
      const parsed = checkCollectorFrame((data as Buffer).toString('utf8'))
      if (!parsed.ok) {
        this.#o.log.warn({ reason: parsed.reason, detail: parsed.detail }, 'ignoring an invalid message from the collector')
        return
      }
      this.#handle(parsed.message)
    })
    socket.on('unexpected-response', (_req, res) => {
      // The upgrade was refused with a plain HTTP answer: 401 means the credential is not (or no longer) valid.
      const status = res.statusCode ?? 0
      res.resume()
      socket.terminate()
      if (status === 401) this.#fatal(`the collector refused this agent's credential (HTTP 401); it was revoked or the collector's data was reset — join again`)
      else this.#o.log.warn({ status }, 'the collector refused the connection')
    })
    socket.on('error', (err) => this.#o.log.warn({ err: errorMessage(err) }, 'collector connection error'))
    socket.on('close', (code, reason) => {
      const wasConnected = this.#connected
      this.#connected = false
      this.#inFlight.clear()
      if (this.#watchdog) clearTimeout(this.#watchdog)
      if (this.#socket === socket) this.#socket = null
      if (wasConnected) this.#o.log.info({ closeCode: code, reason: reason.toString() }, 'disconnected from the collector')
      this.emit('disconnected', { code })
      if (fatalCloseCodes.has(code)) return this.#fatal(`the collector closed the connection: ${reason.toString() || code} — join again`)
      this.#retry()
    })
  }

  #handlers: { [K in CollectorMessage['type']]: (message: Extract<CollectorMessage, { type: K }>) => void } = {
    welcome: (m) => {
      this.#heartbeatMs = m.heartbeatMs
      this.#armWatchdog()
    },
    ack: (m) => {
      this.#inFlight.delete(m.scanId)
      this.spool.remove(m.scanId)
      this.emit('acked', { scanId: m.scanId, duplicate: m.duplicate })
      this.#pump()
    },
    scan: (m) => {
      this.#o.log.info({ scanId: m.scanId, only: m.only }, 'scan requested by the collector')
      void this.scanNow(m.scanId, m.only)
    },
    rules: (m) => void this.#applyRules(m),
    'node-config': (m) => this.#applyNodeConfig(m),
    error: (m) => this.#o.log.warn({ code: m.code, message: m.message }, 'the collector reported an error'),
  }

  #handle(message: CollectorMessage): void {
    const handler = this.#handlers[message.type] as (m: CollectorMessage) => void
    handler(message)
  }

  /** Sends spooled reports in seq order, keeping at most `window` unacknowledged. */
  #pump(): void {
    if (!this.#connected) return
    for (const entry of this.spool.entries()) {
      if (this.#inFlight.size >= this.#o.window) return
      if (this.#inFlight.has(entry.scanId)) continue
      this.#inFlight.add(entry.scanId)
      this.#socket?.send(this.spool.read(entry))
    }
  }

  #send(message: object): void {
    this.#socket?.send(JSON.stringify(message))
  }

  #sendIfConnected(message: object): void {
    if (this.#connected) this.#send(message)
  }

  #armWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog)
    // No ping for 2.5 heartbeats: the path is dead even if TCP has not noticed (half-open).
    this.#watchdog = setTimeout(() => {
      this.#o.log.warn('no heartbeat from the collector; reconnecting')
      this.#socket?.terminate()
    }, this.#heartbeatMs * 2.5)
    this.#watchdog.unref?.()
  }

  #retry(): void {
    if (this.#stopped || this.#reconnectTimer) return
    const delay = backoffDelayMs(this.#attempt++, this.#o.backoff, this.#o.random)
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null
      this.#connect()
    }, delay)
  }

  #fatal(reason: string): void {
    this.#o.log.error({ reason }, 'agent stopped')
    this.emit('fatal', { reason })
    void this.stop()
  }

  /** The collector's view of the node: used by the next scan; changed labels are kept across restarts. */
  #applyNodeConfig(message: NodeConfigMessage): void {
    this.#view = collectorViewOf(message)
    const { state } = this.#o
    if (!sameLabels(state.labels, message.labels)) {
      this.#o.state = { ...state, labels: { ...message.labels } }
      try {
        // Not saveAgentState: that validates with zod. The state was valid when loaded and the labels were checked with the message.
        writeAgentStateFile(this.#o.stateDir, this.#o.state)
      } catch (err) {
        this.#o.log.warn({ err: errorMessage(err) }, 'cannot save the labels the collector sent; using them until restart')
      }
    }
    const { group, peers } = message.isolation
    this.#o.log.info({ labels: message.labels, group, peers: peers.length }, 'node config from the collector')
    this.emit('node-config', { labels: message.labels, group, peers: peers.length })
  }

  /**
   * A pushed rule pack: its digest is checked here; the runner (a child for `posture agent`)
   * writes it aside, loads it with the full rule schema and switches only if it loads.
   */
  async #applyRules(message: RulesMessage): Promise<void> {
    const reply = (ok: boolean, version: string, error?: string) => {
      this.#sendIfConnected({ v: protocolVersion, type: 'rules-status', version, ok, ...(error ? { error: error.slice(0, 4000) } : {}) })
      this.emit('rules', { version, ok })
    }
    if (rulesDigest(message.files) !== message.digest) return reply(false, message.version, 'digest mismatch: the rule pack was altered in transit')
    try {
      const runner = await this.#runner
      this.#rulesVersion = await this.#inLane(() => runner.applyRules(message.files))
      this.#o.log.info({ version: this.#rulesVersion }, 'rule pack applied')
      reply(true, this.#rulesVersion)
    } catch (err) {
      this.#o.log.warn({ err: errorMessage(err) }, 'rule pack refused')
      reply(false, message.version, errorMessage(err))
    }
  }
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])
}

/** Reported in `hello` for display only; the node's identity comes from its facts. */
function hostnameOf(): string {
  return hostname()
}
