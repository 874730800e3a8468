import type { AlertLog } from './alert-log.js'
import { errorMessage } from '../../rules/posture-error.js'
import { backoffMs } from './backoff.js'
import { sendWebhook } from './send-webhook.js'
import type { AlertStore, OutboxItem } from './alert-store.js'
import { redactUrl } from './webhook-spec.js'

export interface DeliveryOptions {
  concurrency: number
  timeoutMs: number
  maxAttempts: number
  backoffBaseMs: number
  backoffMaxMs: number
  pollMs: number
}

export interface DeliveryDeps {
  alerts: AlertStore
  options: DeliveryOptions
  clock: () => Date
  log: AlertLog
  userAgent: string
  random?: () => number
}

/**
 * Sends the outbox: at most `concurrency` requests in flight, each bounded by `timeoutMs`;
 * a failure is retried with exponential backoff and jitter until `maxAttempts`, every
 * attempt in the delivery log. Woken when messages are queued, and every `pollMs` for
 * retries that come due (and messages queued by another process: the CLI's test send).
 * Runs beside ingest on the event loop and never blocks it: all waiting is on sockets.
 */
export class DeliveryWorker {
  readonly #deps: DeliveryDeps
  readonly #inFlight = new Map<number, Promise<void>>()
  #timer: NodeJS.Timeout | null = null
  #running = false
  #stopping = new AbortController()
  /** An outbox read is under way; `#wakeAgain`: another wake came meanwhile (read once more after it). */
  #reading = false
  #wakeAgain = false

  constructor(deps: DeliveryDeps) {
    this.#deps = deps
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    this.#stopping = new AbortController()
    this.#timer = setInterval(() => this.wake(), this.#deps.options.pollMs)
    this.#timer.unref()
    this.wake()
  }

  /** Stops taking new messages and aborts those in flight; they stay pending and are sent after the next start. */
  async stop(): Promise<void> {
    this.#running = false
    this.#stopping.abort()
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    await Promise.all(this.#inFlight.values())
  }

  /** Starts whatever is due, up to the concurrency limit. */
  wake(): void {
    if (!this.#running) return
    const { alerts, options, clock, log } = this.#deps
    const free = options.concurrency - this.#inFlight.size
    if (free <= 0) return
    if (this.#reading) {
      this.#wakeAgain = true
      return
    }
    this.#reading = true
    this.#wakeAgain = false
    alerts
      .due(clock(), free, new Set(this.#inFlight.keys()))
      .then((due) => this.#startAll(due))
      .catch((err: unknown) => log.error({ err: errorMessage(err) }, 'alert outbox read failed'))
      .finally(() => {
        this.#reading = false
        if (this.#wakeAgain) this.wake()
      })
  }

  #startAll(due: readonly OutboxItem[]): void {
    const { log } = this.#deps
    if (!this.#running) return
    for (const item of due) {
      if (this.#inFlight.has(item.id)) continue
      const done = this.#deliver(item)
        .catch((err: unknown) => log.error({ err: errorMessage(err), outboxId: item.id }, 'alert delivery failed unexpectedly'))
        .finally(() => {
          this.#inFlight.delete(item.id)
          this.wake()
        })
      this.#inFlight.set(item.id, done)
    }
  }

  async #deliver(item: OutboxItem): Promise<void> {
    const { alerts, options, clock, log } = this.#deps
    const webhook = await alerts.webhookWithSecret(item.webhookId)
    if (!webhook) {
      await alerts.recordAttempt(item, { at: clock(), outcome: 'failed', httpStatus: null, error: 'destination removed', durationMs: 0, nextAttemptAt: null })
      return
    }
    const stopping = this.#stopping.signal
    const result = await sendWebhook(webhook, item.body, { messageId: item.messageId, userAgent: this.#deps.userAgent }, options.timeoutMs, stopping)
    // Cut short by shutdown: not an attempt; the message stays pending for the next start.
    if (stopping.aborted) return
    const attempt = item.attempts + 1
    const at = clock()
    const fields = { webhookId: webhook.id, destination: redactUrl(webhook.url), messageId: item.messageId, attempt, httpStatus: result.httpStatus }
    if (result.ok) {
      await alerts.recordAttempt(item, { at, outcome: 'delivered', httpStatus: result.httpStatus, error: null, durationMs: result.durationMs, nextAttemptAt: null })
      log.debug(fields, 'alert delivered')
      return
    }
    if (attempt >= options.maxAttempts) {
      await alerts.recordAttempt(item, { at, outcome: 'failed', httpStatus: result.httpStatus, error: result.error, durationMs: result.durationMs, nextAttemptAt: null })
      log.error({ ...fields, reason: result.error }, 'alert undeliverable; giving up')
      return
    }
    const wait = backoffMs(attempt, options.backoffBaseMs, options.backoffMaxMs, (this.#deps.random ?? Math.random)())
    await alerts.recordAttempt(item, { at, outcome: 'retry', httpStatus: result.httpStatus, error: result.error, durationMs: result.durationMs, nextAttemptAt: new Date(at.getTime() + wait) })
    log.warn({ ...fields, reason: result.error, retryInMs: wait }, 'alert delivery failed; will retry')
    // Retries shorter than the poll interval are not left waiting for it.
    if (wait < options.pollMs) setTimeout(() => this.wake(), wait + 1).unref()
  }
}
