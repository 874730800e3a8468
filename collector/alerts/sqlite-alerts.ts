import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { severitySchema, type Severity } from '../../rules/severity.js'
import { statusSchema } from '../../rules/finding.js'
import type { Db } from '../store/sqlite-open.js'
import { alertEventTypeSchema } from './alert-events.js'
import type { AlertStore, AttemptResult, Delivery, OutboxItem, OutboxMessage, ScanPair } from './alert-store.js'
import type { ScanFinding, ScanResults } from './derive-events.js'
import type { SweepState } from './sweep-events.js'
import type { Webhook, WebhookSpec } from './webhook-spec.js'
import { deliveryFromRow, type DeliveryRow } from './delivery-view.js'

export interface WebhookRow { id: number; name: string; url: string; format: 'json' | 'slack'; events: string; min_severity: string; secret: string; created_at: string }

const eventsSchema = z.array(alertEventTypeSchema)

/**
 * The alerts tables (alert-schema.ts, migration 5) through prepared statements; every
 * method is one synchronous transaction or statement.
 */
export class SqliteAlerts implements AlertStore {
  readonly #db: Db
  readonly #s

  constructor(db: Db) {
    this.#db = db
    this.#s = {
      insertWebhook: db.prepare('INSERT INTO webhooks (name, url, format, events, min_severity, secret, created_at) VALUES (@name, @url, @format, @events, @minSeverity, @secret, @createdAt)'),
      webhooks: db.prepare<[], WebhookRow>('SELECT * FROM webhooks WHERE deleted_at IS NULL ORDER BY id'),
      webhook: db.prepare<[number], WebhookRow>('SELECT * FROM webhooks WHERE id = ? AND deleted_at IS NULL'),
      deleteWebhook: db.prepare('UPDATE webhooks SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL'),
      dropPending: db.prepare("UPDATE alert_outbox SET status = 'failed', last_error = 'destination removed' WHERE webhook_id = ? AND status = 'pending'"),
      enqueue: db.prepare(`INSERT INTO alert_outbox (webhook_id, dedupe_key, message_id, body, created_at, status, next_attempt_at)
        VALUES (@webhookId, @dedupeKey, @messageId, @body, @createdAt, 'pending', @createdAt) ON CONFLICT (webhook_id, dedupe_key) DO NOTHING`),
      insertSettled: db.prepare(`INSERT INTO alert_outbox (webhook_id, dedupe_key, message_id, body, created_at, status, attempts, next_attempt_at, last_error)
        VALUES (@webhookId, @dedupeKey, @messageId, @body, @createdAt, @status, 1, @createdAt, @error)`),
      due: db.prepare<[string, number], { id: number; webhook_id: number; message_id: string; body: string; attempts: number }>(
        "SELECT id, webhook_id, message_id, body, attempts FROM alert_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?"),
      nextDue: db.prepare<[], { at: string | null }>("SELECT min(next_attempt_at) AS at FROM alert_outbox WHERE status = 'pending'"),
      settle: db.prepare('UPDATE alert_outbox SET status = @status, attempts = @attempts, next_attempt_at = @nextAttemptAt, last_error = @error WHERE id = @id'),
      logDelivery: db.prepare(`INSERT INTO alert_deliveries (outbox_id, webhook_id, attempt, at, outcome, http_status, error, duration_ms)
        VALUES (@outboxId, @webhookId, @attempt, @at, @outcome, @httpStatus, @error, @durationMs)`),
      deliveries: db.prepare<[number, number], DeliveryRow>(
        `SELECT d.id, o.message_id, d.attempt, d.at, d.outcome, d.http_status, d.error, d.duration_ms, o.dedupe_key, o.body, o.status AS message_status, o.attempts AS message_attempts, o.next_attempt_at
         FROM alert_deliveries d JOIN alert_outbox o ON o.id = d.outbox_id WHERE d.webhook_id = ? ORDER BY d.id DESC LIMIT ?`),
      fireCondition: db.prepare('INSERT INTO alert_conditions (key, fired_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
      scan: db.prepare<[string], { pk: number; node_id: string; score: number | null; grade: string | null; domains: string; last_scan_pk: number | null; hostname: string }>(
        'SELECT s.pk, s.node_id, s.score, s.grade, s.domains, n.last_scan_pk, n.hostname FROM scans s JOIN nodes n ON n.id = s.node_id WHERE s.scan_id = ?'),
      previousScan: db.prepare<[string, number], { pk: number; scan_id: string; score: number | null; grade: string | null; domains: string }>(
        'SELECT pk, scan_id, score, grade, domains FROM scans WHERE node_id = ? AND pk < ? ORDER BY pk DESC LIMIT 1'),
      findings: db.prepare<[number], { rule: string; target: string; domain: string; severity: string; status: string; message: string; title: string | null }>(
        'SELECT f.rule, f.target, f.domain, f.severity, f.status, f.message, m.title FROM findings f LEFT JOIN rule_meta m ON m.rule = f.rule WHERE f.scan_pk = ?'),
      facts: db.prepare<[number], { facts: string | null }>('SELECT facts FROM scans WHERE pk = ?'),
      clearCertificates: db.prepare('DELETE FROM alert_certificates WHERE node_id = ?'),
      putCertificate: db.prepare('INSERT OR REPLACE INTO alert_certificates (node_id, target, subject, not_after) VALUES (?, ?, ?, ?)'),
      silentNodes: db.prepare<[], { id: string; hostname: string; offline_since: string }>('SELECT id, hostname, offline_since FROM nodes WHERE offline_since IS NOT NULL'),
      openFailures: db.prepare<[], { node_id: string; hostname: string; rule: string; target: string; severity: string; sla_due: string; failing_since: string; last_status: string }>(
        "SELECT l.node_id, n.hostname, l.rule, l.target, l.severity, l.sla_due, l.failing_since, l.last_status FROM finding_lifecycle l JOIN nodes n ON n.id = l.node_id WHERE l.state = 'open' AND l.sla_due IS NOT NULL"),
      certificates: db.prepare<[], { node_id: string; hostname: string; target: string; subject: string; not_after: string }>(
        'SELECT c.node_id, n.hostname, c.target, c.subject, c.not_after FROM alert_certificates c JOIN nodes n ON n.id = c.node_id'),
    }
  }

  /** Adds a destination; returns it and its signing secret (shown to the user once). */
  async addWebhook(spec: WebhookSpec, now: Date): Promise<{ webhook: Webhook; secret: string }> {
    const secret = `whsec_${randomBytes(32).toString('base64url')}`
    const name = spec.name ?? new URL(spec.url).host
    const id = Number(this.#s.insertWebhook.run({ name, url: spec.url, format: spec.format, events: JSON.stringify(spec.events), minSeverity: spec.minSeverity, secret, createdAt: now.toISOString() }).lastInsertRowid)
    return { webhook: toWebhook(this.#s.webhook.get(id)!), secret }
  }

  async webhooks(): Promise<Webhook[]> {
    return this.#s.webhooks.all().map(toWebhook)
  }

  async webhook(id: number): Promise<Webhook | null> {
    const row = this.#s.webhook.get(id)
    return row ? toWebhook(row) : null
  }

  /** The destination with its secret, for the sender only. */
  async webhookWithSecret(id: number): Promise<(Webhook & { secret: string }) | null> {
    const row = this.#s.webhook.get(id)
    return row ? { ...toWebhook(row), secret: row.secret } : null
  }

  /** Removes a destination (kept for its delivery log); its pending messages are dropped. */
  async removeWebhook(id: number, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      const removed = this.#s.deleteWebhook.run(now.toISOString(), id).changes > 0
      if (removed) this.#s.dropPending.run(id)
      return removed
    })()
  }

  /** Writes messages to the outbox; a (destination, dedupe key) already there is skipped. Returns how many were new. */
  async enqueue(messages: readonly OutboxMessage[], now: Date): Promise<number> {
    return this.#db.transaction(() => {
      let added = 0
      for (const m of messages) added += this.#s.enqueue.run({ ...m, createdAt: now.toISOString() }).changes
      return added
    })()
  }

  async due(now: Date, limit: number, skip: ReadonlySet<number>): Promise<OutboxItem[]> {
    return this.#s
      .due.all(now.toISOString(), limit + skip.size)
      .filter((r) => !skip.has(r.id))
      .slice(0, limit)
      .map((r) => ({ id: r.id, webhookId: r.webhook_id, messageId: r.message_id, body: r.body, attempts: r.attempts }))
  }

  async nextDue(): Promise<string | null> {
    return this.#s.nextDue.get()?.at ?? null
  }

  /** Records one attempt: the delivery log row and the outbox row's new state, together. */
  async recordAttempt(item: OutboxItem, attempt: AttemptResult): Promise<void> {
    this.#db.transaction(() => {
      const attempts = item.attempts + 1
      this.#s.logDelivery.run({ outboxId: item.id, webhookId: item.webhookId, attempt: attempts, at: attempt.at.toISOString(), outcome: attempt.outcome, httpStatus: attempt.httpStatus, error: attempt.error, durationMs: Math.round(attempt.durationMs) })
      const status = attempt.outcome === 'retry' ? 'pending' : attempt.outcome
      this.#s.settle.run({ id: item.id, status, attempts, nextAttemptAt: (attempt.nextAttemptAt ?? attempt.at).toISOString(), error: attempt.error })
    })()
  }

  /** A message sent outside the worker (the CLI's test send): stored already settled, with its one attempt. */
  async recordSent(message: OutboxMessage, attempt: { at: Date; ok: boolean; httpStatus: number | null; error: string | null; durationMs: number }): Promise<void> {
    this.#db.transaction(() => {
      const id = Number(this.#s.insertSettled.run({ ...message, createdAt: attempt.at.toISOString(), status: attempt.ok ? 'delivered' : 'failed', error: attempt.error }).lastInsertRowid)
      this.#s.logDelivery.run({ outboxId: id, webhookId: message.webhookId, attempt: 1, at: attempt.at.toISOString(), outcome: attempt.ok ? 'delivered' : 'failed', httpStatus: attempt.httpStatus, error: attempt.error, durationMs: Math.round(attempt.durationMs) })
    })()
  }

  async deliveries(webhookId: number, limit: number): Promise<Delivery[]> {
    return this.#s.deliveries.all(webhookId, limit).map(deliveryFromRow)
  }

  /** True the first time a condition key is seen (it fires), false ever after. */
  async fireCondition(key: string, now: Date): Promise<boolean> {
    return this.#s.fireCondition.run(key, now.toISOString()).changes > 0
  }

  /**
   * A stored scan and the one before it on the same node, as derive-events reads them;
   * null when the scan is unknown or (`currentOnly`, for reports) is not the node's current
   * one (a late, older report). A re-scoring entry is compared whatever came after it.
   */
  async scanPair(scanId: string, options: { currentOnly: boolean } = { currentOnly: true }): Promise<ScanPair | null> {
    const scan = this.#s.scan.get(scanId)
    if (!scan || (options.currentOnly && scan.last_scan_pk !== scan.pk)) return null
    const prev = this.#s.previousScan.get(scan.node_id, scan.pk)
    return {
      node: { id: scan.node_id, hostname: scan.hostname },
      scanPk: scan.pk,
      current: this.#results(scanId, scan),
      previous: prev ? this.#results(prev.scan_id, prev) : null,
    }
  }

  #results(scanId: string, row: { pk: number; score: number | null; grade: string | null; domains: string }): ScanResults {
    const findings: ScanFinding[] = this.#s.findings.all(row.pk).map((f) => ({
      rule: f.rule,
      target: f.target,
      domain: f.domain,
      severity: severitySchema.parse(f.severity),
      status: statusSchema.parse(f.status),
      title: f.title ?? f.rule,
      message: f.message,
    }))
    return { scanId, score: row.score, grade: gradeSchema.parse(row.grade), domains: domainsSchema.parse(JSON.parse(row.domains)), findings }
  }

  /** Replaces a node's certificate expiries with those of its current scan's TLS facts (scans without TLS keep them). */
  async recordCertificates(nodeId: string, scanPk: number): Promise<void> {
    const facts = factsSchema.safeParse(JSON.parse(this.#s.facts.get(scanPk)?.facts ?? 'null'))
    if (!facts.success || !facts.data?.tls?.endpoints) return
    const endpoints = facts.data.tls.endpoints
    this.#db.transaction(() => {
      this.#s.clearCertificates.run(nodeId)
      for (const e of endpoints) if (e.target && e.certificate) this.#s.putCertificate.run(nodeId, e.target, e.certificate.subject, e.certificate.notAfter)
    })()
  }

  async sweepState(waivers: SweepState['waivers']): Promise<SweepState> {
    return {
      silentNodes: this.#s.silentNodes.all().map((n) => ({ id: n.id, hostname: n.hostname, offlineSince: n.offline_since })),
      openFailures: this.#s.openFailures.all().map((f) => ({
        node: { id: f.node_id, hostname: f.hostname },
        rule: f.rule,
        target: f.target,
        severity: severitySchema.parse(f.severity),
        slaDue: f.sla_due,
        failingSince: f.failing_since,
        waived: f.last_status === 'waived',
      })),
      certificates: this.#s.certificates.all().map((c) => ({ node: { id: c.node_id, hostname: c.hostname }, target: c.target, subject: c.subject, notAfter: c.not_after })),
      waivers,
    }
  }
}

export const gradeSchema = z.enum(['A', 'B', 'C', 'D', 'F']).nullable()
export const domainsSchema = z.array(z.string())
// Only what alerts read of stored facts; the rest passes.
export const factsSchema = z
  .object({
    tls: z
      .object({ endpoints: z.array(z.object({ target: z.string().optional(), certificate: z.object({ subject: z.string(), notAfter: z.string() }).nullable().optional() })).optional() })
      .optional(),
  })
  .nullable()

export function toWebhook(row: WebhookRow): Webhook {
  return { id: row.id, name: row.name, url: row.url, format: row.format, events: eventsSchema.parse(JSON.parse(row.events)), minSeverity: severitySchema.parse(row.min_severity) as Severity, createdAt: row.created_at }
}
