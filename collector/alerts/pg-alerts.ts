import { randomBytes } from 'node:crypto'
import { statusSchema } from '../../rules/finding.js'
import { severitySchema } from '../../rules/severity.js'
import type { PgPool } from '../store/pg/pg-pool.js'
import { withPgTransaction } from '../store/pg/pg-transaction.js'
import type { AlertStore, AttemptResult, Delivery, OutboxItem, OutboxMessage, ScanPair } from './alert-store.js'
import type { ScanResults } from './derive-events.js'
import { domainsSchema, factsSchema, gradeSchema, toWebhook, type WebhookRow } from './sqlite-alerts.js'
import type { SweepState } from './sweep-events.js'
import { deliveryFromRow, type DeliveryRow } from './delivery-view.js'
import type { Webhook, WebhookSpec } from './webhook-spec.js'

/**
 * The alerts tables on PostgreSQL (same tables and rows as SQLite). Several collectors
 * share one outbox: `due` claims the rows it hands out (`FOR UPDATE SKIP LOCKED`, then
 * moves their next attempt `claimMs` ahead), so two delivery workers never send the same
 * message at once; a worker that dies mid-send leaves the message to be retried once the
 * claim runs out. Dedupe keys and fired conditions are unique in the database, so a
 * report or condition seen by two collectors is one message.
 */
// Longer than the longest send (alert-config.ts: timeoutMs at most 120 s) plus recording it.
const claimMs = 300_000

type ScanRow = { pk: number; node_id: string; score: number | null; grade: string | null; domains: string; last_scan_pk: number | null; hostname: string }

export class PgAlerts implements AlertStore {
  readonly #pool: PgPool

  constructor(pool: PgPool) {
    this.#pool = pool
  }

  async addWebhook(spec: WebhookSpec, now: Date): Promise<{ webhook: Webhook; secret: string }> {
    const secret = `whsec_${randomBytes(32).toString('base64url')}`
    const name = spec.name ?? new URL(spec.url).host
    const { rows } = await this.#pool.query<WebhookRow>(
      'INSERT INTO webhooks (name, url, format, events, min_severity, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *',
      [name, spec.url, spec.format, JSON.stringify(spec.events), spec.minSeverity, secret, now.toISOString()],
    )
    return { webhook: toWebhook(numbered(rows[0]!)), secret }
  }

  async webhooks(): Promise<Webhook[]> {
    return (await this.#pool.query<WebhookRow>('SELECT * FROM webhooks WHERE deleted_at IS NULL ORDER BY id')).rows.map((r) => toWebhook(numbered(r)))
  }

  async #webhookRow(id: number): Promise<WebhookRow | undefined> {
    const row = (await this.#pool.query<WebhookRow>('SELECT * FROM webhooks WHERE id = $1 AND deleted_at IS NULL', [id])).rows[0]
    return row ? numbered(row) : undefined
  }

  async webhook(id: number): Promise<Webhook | null> {
    const row = await this.#webhookRow(id)
    return row ? toWebhook(row) : null
  }

  async webhookWithSecret(id: number): Promise<(Webhook & { secret: string }) | null> {
    const row = await this.#webhookRow(id)
    return row ? { ...toWebhook(row), secret: row.secret } : null
  }

  async removeWebhook(id: number, now: Date): Promise<boolean> {
    return withPgTransaction(this.#pool, async (client) => {
      const removed = ((await client.query('UPDATE webhooks SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL', [now.toISOString(), id])).rowCount ?? 0) > 0
      if (removed) await client.query("UPDATE alert_outbox SET status = 'failed', last_error = 'destination removed' WHERE webhook_id = $1 AND status = 'pending'", [id])
      return removed
    })
  }

  async enqueue(messages: readonly OutboxMessage[], now: Date): Promise<number> {
    if (messages.length === 0) return 0
    const result = await this.#pool.query(
      `INSERT INTO alert_outbox (webhook_id, dedupe_key, message_id, body, created_at, status, next_attempt_at)
       SELECT w, k, m, b, $5, 'pending', $5 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS u(w, k, m, b)
       ON CONFLICT (webhook_id, dedupe_key) DO NOTHING`,
      [messages.map((m) => m.webhookId), messages.map((m) => m.dedupeKey), messages.map((m) => m.messageId), messages.map((m) => m.body), now.toISOString()],
    )
    return result.rowCount ?? 0
  }

  async due(now: Date, limit: number, skip: ReadonlySet<number>): Promise<OutboxItem[]> {
    const { rows } = await this.#pool.query<{ id: number; webhook_id: number; message_id: string; body: string; attempts: number; next_attempt_at: string }>(
      `WITH claimed AS (
         SELECT id, next_attempt_at FROM alert_outbox
         WHERE status = 'pending' AND next_attempt_at <= $1 AND NOT (id = ANY($3::bigint[]))
         ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE alert_outbox o SET next_attempt_at = $4 FROM claimed c WHERE o.id = c.id
       RETURNING o.id, o.webhook_id, o.message_id, o.body, o.attempts, c.next_attempt_at`,
      [now.toISOString(), limit, [...skip], new Date(now.getTime() + claimMs).toISOString()],
    )
    return rows
      .sort((a, b) => (a.next_attempt_at < b.next_attempt_at ? -1 : a.next_attempt_at > b.next_attempt_at ? 1 : a.id - b.id))
      .map((r) => ({ id: Number(r.id), webhookId: Number(r.webhook_id), messageId: r.message_id, body: r.body, attempts: Number(r.attempts) }))
  }

  async nextDue(): Promise<string | null> {
    return (await this.#pool.query<{ at: string | null }>("SELECT min(next_attempt_at) AS at FROM alert_outbox WHERE status = 'pending'")).rows[0]?.at ?? null
  }

  async recordAttempt(item: OutboxItem, attempt: AttemptResult): Promise<void> {
    await withPgTransaction(this.#pool, async (client) => {
      const attempts = item.attempts + 1
      await client.query(
        `INSERT INTO alert_deliveries (outbox_id, webhook_id, attempt, at, outcome, http_status, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [item.id, item.webhookId, attempts, attempt.at.toISOString(), attempt.outcome, attempt.httpStatus, attempt.error, Math.round(attempt.durationMs)],
      )
      const status = attempt.outcome === 'retry' ? 'pending' : attempt.outcome
      await client.query('UPDATE alert_outbox SET status = $2, attempts = $3, next_attempt_at = $4, last_error = $5 WHERE id = $1', [
        item.id, status, attempts, (attempt.nextAttemptAt ?? attempt.at).toISOString(), attempt.error,
      ])
    })
  }

  async recordSent(message: OutboxMessage, attempt: { at: Date; ok: boolean; httpStatus: number | null; error: string | null; durationMs: number }): Promise<void> {
    await withPgTransaction(this.#pool, async (client) => {
      const at = attempt.at.toISOString()
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO alert_outbox (webhook_id, dedupe_key, message_id, body, created_at, status, attempts, next_attempt_at, last_error)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $5, $7) RETURNING id`,
        [message.webhookId, message.dedupeKey, message.messageId, message.body, at, attempt.ok ? 'delivered' : 'failed', attempt.error],
      )
      await client.query(
        `INSERT INTO alert_deliveries (outbox_id, webhook_id, attempt, at, outcome, http_status, error, duration_ms) VALUES ($1, $2, 1, $3, $4, $5, $6, $7)`,
        [rows[0]!.id, message.webhookId, at, attempt.ok ? 'delivered' : 'failed', attempt.httpStatus, attempt.error, Math.round(attempt.durationMs)],
      )
    })
  }

  async deliveries(webhookId: number, limit: number): Promise<Delivery[]> {
    const { rows } = await this.#pool.query<DeliveryRow>(
      `SELECT d.id, o.message_id, d.attempt, d.at, d.outcome, d.http_status, d.error, d.duration_ms, o.dedupe_key, o.body, o.status AS message_status, o.attempts AS message_attempts, o.next_attempt_at
       FROM alert_deliveries d JOIN alert_outbox o ON o.id = d.outbox_id WHERE d.webhook_id = $1 ORDER BY d.id DESC LIMIT $2`,
      [webhookId, limit],
    )
    return rows.map(deliveryFromRow)
  }

  async fireCondition(key: string, now: Date): Promise<boolean> {
    return ((await this.#pool.query('INSERT INTO alert_conditions (key, fired_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, now.toISOString()])).rowCount ?? 0) > 0
  }

  async scanPair(scanId: string, options: { currentOnly: boolean } = { currentOnly: true }): Promise<ScanPair | null> {
    const scan = (await this.#pool.query<ScanRow>(
      'SELECT s.pk, s.node_id, s.score, s.grade, s.domains, n.last_scan_pk, n.hostname FROM scans s JOIN nodes n ON n.id = s.node_id WHERE s.scan_id = $1',
      [scanId],
    )).rows[0]
    if (!scan || (options.currentOnly && Number(scan.last_scan_pk) !== Number(scan.pk))) return null
    const prev = (await this.#pool.query<{ pk: number; scan_id: string; score: number | null; grade: string | null; domains: string }>(
      'SELECT pk, scan_id, score, grade, domains FROM scans WHERE node_id = $1 AND pk < $2 ORDER BY pk DESC LIMIT 1',
      [scan.node_id, scan.pk],
    )).rows[0]
    return {
      node: { id: scan.node_id, hostname: scan.hostname },
      scanPk: Number(scan.pk),
      current: await this.#results(scanId, scan),
      previous: prev ? await this.#results(prev.scan_id, prev) : null,
    }
  }

  async #results(scanId: string, row: { pk: number; score: number | null; grade: string | null; domains: string }): Promise<ScanResults> {
    const { rows } = await this.#pool.query<{ rule: string; target: string; domain: string; severity: string; status: string; message: string; title: string | null }>(
      'SELECT f.rule, f.target, f.domain, f.severity, f.status, f.message, m.title FROM findings f LEFT JOIN rule_meta m ON m.rule = f.rule WHERE f.scan_pk = $1',
      [row.pk],
    )
    const findings = rows.map((f) => ({
      rule: f.rule, target: f.target, domain: f.domain, severity: severitySchema.parse(f.severity), status: statusSchema.parse(f.status), title: f.title ?? f.rule, message: f.message,
    }))
    return { scanId, score: row.score, grade: gradeSchema.parse(row.grade), domains: domainsSchema.parse(JSON.parse(row.domains)), findings }
  }

  async recordCertificates(nodeId: string, scanPk: number): Promise<void> {
    const stored = (await this.#pool.query<{ facts: string | null }>('SELECT facts FROM scans WHERE pk = $1', [scanPk])).rows[0]?.facts ?? 'null'
    const facts = factsSchema.safeParse(JSON.parse(stored))
    if (!facts.success || !facts.data?.tls?.endpoints) return
    const certificates = facts.data.tls.endpoints.flatMap((e) => (e.target && e.certificate ? [{ target: e.target, subject: e.certificate.subject, notAfter: e.certificate.notAfter }] : []))
    await withPgTransaction(this.#pool, async (client) => {
      await client.query('DELETE FROM alert_certificates WHERE node_id = $1', [nodeId])
      if (certificates.length === 0) return
      await client.query(
        `INSERT INTO alert_certificates (node_id, target, subject, not_after) SELECT $1, t, s, a FROM unnest($2::text[], $3::text[], $4::text[]) AS u(t, s, a)
         ON CONFLICT (node_id, target) DO UPDATE SET subject = excluded.subject, not_after = excluded.not_after`,
        [nodeId, certificates.map((c) => c.target), certificates.map((c) => c.subject), certificates.map((c) => c.notAfter)],
      )
    })
  }

  async sweepState(waivers: SweepState['waivers']): Promise<SweepState> {
    const [silent, open, certificates] = await Promise.all([
      this.#pool.query<{ id: string; hostname: string; offline_since: string }>('SELECT id, hostname, offline_since FROM nodes WHERE offline_since IS NOT NULL'),
      this.#pool.query<{ node_id: string; hostname: string; rule: string; target: string; severity: string; sla_due: string; failing_since: string; last_status: string }>(
        "SELECT l.node_id, n.hostname, l.rule, l.target, l.severity, l.sla_due, l.failing_since, l.last_status FROM finding_lifecycle l JOIN nodes n ON n.id = l.node_id WHERE l.state = 'open' AND l.sla_due IS NOT NULL",
      ),
      this.#pool.query<{ node_id: string; hostname: string; target: string; subject: string; not_after: string }>(
        'SELECT c.node_id, n.hostname, c.target, c.subject, c.not_after FROM alert_certificates c JOIN nodes n ON n.id = c.node_id',
      ),
    ])
    return {
      silentNodes: silent.rows.map((n) => ({ id: n.id, hostname: n.hostname, offlineSince: n.offline_since })),
      openFailures: open.rows.map((f) => ({
        node: { id: f.node_id, hostname: f.hostname }, rule: f.rule, target: f.target, severity: severitySchema.parse(f.severity),
        slaDue: f.sla_due, failingSince: f.failing_since, waived: f.last_status === 'waived',
      })),
      certificates: certificates.rows.map((c) => ({ node: { id: c.node_id, hostname: c.hostname }, target: c.target, subject: c.subject, notAfter: c.not_after })),
      waivers,
    }
  }
}

function numbered(row: WebhookRow): WebhookRow {
  return { ...row, id: Number(row.id) }
}
