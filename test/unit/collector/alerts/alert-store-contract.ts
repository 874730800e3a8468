import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AlertStore } from '../../../../collector/alerts/alert-store.js'
import type { BackendUnderTest, OpenBackend } from '../store/backend-under-test.js'

const now = new Date('2026-03-02T10:00:00Z')

/** The alert store contract, run on SQLite (sqlite-alerts.test.ts) and PostgreSQL (test/integration/pg-backend.test.ts). */
export function describeAlertStoreContract(backendName: string, open: OpenBackend, options: { skip?: boolean } = {}): void {
describe.skipIf(options.skip ?? false)(`alert store contract: ${backendName}`, () => {
  let subject: BackendUnderTest
  let alerts: AlertStore
  beforeEach(async () => {
    subject = await open()
    alerts = subject.backend.alerts
    await subject.sql("INSERT INTO nodes (id, hostname, first_seen, last_seen) VALUES ('n1', 'web-1', ?, ?)", [now.toISOString(), now.toISOString()])
  })
  afterEach(async () => {
    await subject?.close()
  })

  async function insertScan(scanId: string, facts: unknown): Promise<number> {
    const rows = await subject.sql(
      `INSERT INTO scans (scan_id, node_id, kind, source, posture_version, rules_version, domains, started_at, finished_at, received_at, score_json, facts)
        VALUES (?, 'n1', 'scan', 'test', '0.1.0', 'r1', '["tls"]', ?, ?, ?, '{}', ?) RETURNING pk`,
      [scanId, now.toISOString(), now.toISOString(), now.toISOString(), JSON.stringify(facts)],
    )
    return Number(rows[0]!.pk)
  }

  it('keeps each node’s certificate expiries from its latest TLS facts', async () => {
    const cert = (notAfter: string) => ({ subject: 'CN=web-1', notAfter, notBefore: '2026-01-01T00:00:00Z' })
    await alerts.recordCertificates('n1', await insertScan('s1', { tls: { endpoints: [{ target: 'web-1:443', certificate: cert('2026-04-01T00:00:00Z') }, { target: 'web-1:25', certificate: null }] } }))
    expect((await alerts.sweepState([])).certificates).toEqual([{ node: { id: 'n1', hostname: 'web-1' }, target: 'web-1:443', subject: 'CN=web-1', notAfter: '2026-04-01T00:00:00Z' }])
    // A scan without TLS facts keeps them; a renewed certificate replaces them.
    await alerts.recordCertificates('n1', await insertScan('s2', { system: {} }))
    expect((await alerts.sweepState([])).certificates).toHaveLength(1)
    await alerts.recordCertificates('n1', await insertScan('s3', { tls: { endpoints: [{ target: 'web-1:443', certificate: cert('2026-06-01T00:00:00Z') }] } }))
    expect((await alerts.sweepState([])).certificates.map((c) => c.notAfter)).toEqual(['2026-06-01T00:00:00Z'])
  })

  it('queues a (destination, key) once, hands out due messages, and settles attempts with a log', async () => {
    const { webhook, secret } = await alerts.addWebhook({ url: 'https://hooks.example.net/x', events: ['finding.new'], minSeverity: 'high', format: 'json' }, now)
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
    expect(webhook).not.toHaveProperty('secret')
    const message = { webhookId: webhook.id, dedupeKey: 'scan|s1', messageId: 'm1', body: '{}' }
    expect(await alerts.enqueue([message, message], now)).toBe(1)
    expect(await alerts.enqueue([message], now)).toBe(0)
    const [item] = await alerts.due(now, 10, new Set())
    expect(item).toMatchObject({ messageId: 'm1', attempts: 0 })
    expect(await alerts.due(now, 10, new Set([item!.id]))).toEqual([])
    await alerts.recordAttempt(item!, { at: now, outcome: 'retry', httpStatus: 502, error: 'HTTP 502', durationMs: 12.4, nextAttemptAt: new Date(now.getTime() + 60_000) })
    expect(await alerts.due(now, 10, new Set())).toEqual([])
    const [again] = await alerts.due(new Date(now.getTime() + 60_000), 10, new Set())
    expect(again).toMatchObject({ attempts: 1 })
    await alerts.recordAttempt(again!, { at: now, outcome: 'delivered', httpStatus: 200, error: null, durationMs: 3, nextAttemptAt: null })
    expect(await alerts.due(new Date('2027-01-01T00:00:00Z'), 10, new Set())).toEqual([])
    expect((await alerts.deliveries(webhook.id, 10)).map((d) => [d.attempt, d.outcome, d.httpStatus, d.durationMs])).toEqual([
      [2, 'delivered', 200, 3],
      [1, 'retry', 502, 12],
    ])
  })

  it('fires a condition once, and drops a removed destination’s pending messages', async () => {
    expect(await alerts.fireCondition('silent|n1|t', now)).toBe(true)
    expect(await alerts.fireCondition('silent|n1|t', now)).toBe(false)
    const { webhook } = await alerts.addWebhook({ url: 'https://hooks.example.net/x', events: ['finding.new'], minSeverity: 'high', format: 'json' }, now)
    await alerts.enqueue([{ webhookId: webhook.id, dedupeKey: 'k', messageId: 'm', body: '{}' }], now)
    expect(await alerts.removeWebhook(webhook.id, now)).toBe(true)
    expect(await alerts.removeWebhook(webhook.id, now)).toBe(false)
    expect(await alerts.due(now, 10, new Set())).toEqual([])
    expect(await alerts.webhooks()).toEqual([])
  })
})
}
