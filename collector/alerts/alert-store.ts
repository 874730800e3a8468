import type { AlertEventType, AlertMessage, AlertNode } from './alert-events.js'
import type { ScanResults } from './derive-events.js'
import type { SweepState } from './sweep-events.js'
import type { Webhook, WebhookSpec } from './webhook-spec.js'

/** One message waiting in the outbox (or being sent). */
export interface OutboxItem {
  id: number
  webhookId: number
  messageId: string
  body: string
  attempts: number
}

export interface Delivery {
  id: number
  messageId: string
  attempt: number
  at: string
  outcome: 'delivered' | 'retry' | 'failed'
  httpStatus: number | null
  error: string | null
  durationMs: number
  /** What made the message (null: not known). */
  kind: AlertMessage['kind'] | null
  /** The event types the message carried. */
  events: AlertEventType[]
  /** The latest attempt of a message still pending: when the next one is due. */
  nextAttemptAt: string | null
}

export type OutboxMessage = { webhookId: number; dedupeKey: string; messageId: string; body: string }
export type AttemptResult = { at: Date; outcome: Delivery['outcome']; httpStatus: number | null; error: string | null; durationMs: number; nextAttemptAt: Date | null }
export type ScanPair = { node: AlertNode; scanPk: number; previous: ScanResults | null; current: ScanResults }

/**
 * The alerts tables (alert-schema.ts) on either backend (sqlite-alerts.ts, pg-alerts.ts).
 * The outbox is unique on (destination, dedupe key), so a report or condition seen by two
 * collectors is one message; a condition fires once whichever collector sees it first.
 */
export interface AlertStore {
  /** Adds a destination; returns it and its signing secret (shown to the user once). */
  addWebhook(spec: WebhookSpec, now: Date): Promise<{ webhook: Webhook; secret: string }>
  webhooks(): Promise<Webhook[]>
  webhook(id: number): Promise<Webhook | null>
  /** The destination with its secret, for the sender only. */
  webhookWithSecret(id: number): Promise<(Webhook & { secret: string }) | null>
  /** Removes a destination (kept for its delivery log); its pending messages are dropped. */
  removeWebhook(id: number, now: Date): Promise<boolean>
  /** Writes messages to the outbox; a (destination, dedupe key) already there is skipped. Returns how many were new. */
  enqueue(messages: readonly OutboxMessage[], now: Date): Promise<number>
  due(now: Date, limit: number, skip: ReadonlySet<number>): Promise<OutboxItem[]>
  nextDue(): Promise<string | null>
  /** Records one attempt: the delivery log row and the outbox row's new state, together. */
  recordAttempt(item: OutboxItem, attempt: AttemptResult): Promise<void>
  /** A message sent outside the worker (the CLI's test send): stored already settled, with its one attempt. */
  recordSent(message: OutboxMessage, attempt: { at: Date; ok: boolean; httpStatus: number | null; error: string | null; durationMs: number }): Promise<void>
  deliveries(webhookId: number, limit: number): Promise<Delivery[]>
  /** True the first time a condition key is seen (it fires), false ever after. */
  fireCondition(key: string, now: Date): Promise<boolean>
  /** A stored scan and the one before it on the same node; null when unknown or (`currentOnly`, the default) not the node's current scan. */
  scanPair(scanId: string, options?: { currentOnly: boolean }): Promise<ScanPair | null>
  /** Replaces a node's certificate expiries with those of its current scan's TLS facts (scans without TLS keep them). */
  recordCertificates(nodeId: string, scanPk: number): Promise<void>
  sweepState(waivers: SweepState['waivers']): Promise<SweepState>
}
