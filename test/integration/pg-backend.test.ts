import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChainAsync } from '../../collector/audit/audit-chain.js'
import { parseScheduleSpec } from '../../collector/schedule/schedule-spec.js'
import { pgBackend, type PgBackend } from '../../collector/store/pg-backend.js'
import { openPgStore } from '../../collector/store/pg/pg-store.js'
import { loadScoringPolicy } from '../../rules/load-rules.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'
import { describeAlertStoreContract } from '../unit/collector/alerts/alert-store-contract.js'
import { describeAuditLogContract } from '../unit/collector/audit/audit-log-contract.js'
import { describeAccountStoreContract } from '../unit/collector/auth/account-store-contract.js'
import { describeEvidenceBackendContract } from '../unit/collector/evidence/evidence-backend-contract.js'
import { describeScheduleStoreContract } from '../unit/collector/schedule/schedule-store-contract.js'
import { describeSshNodeStoreContract } from '../unit/collector/ssh/ssh-node-store-contract.js'
import type { OpenBackend } from '../unit/collector/store/backend-under-test.js'
import { describeDashboardQueriesContract } from '../unit/collector/store/dashboard-queries-contract.js'
import { describeWaiverStoreContract } from '../unit/collector/waivers/waiver-store-contract.js'

// Every subsystem contract that runs on SQLite in test/unit, here on a real PostgreSQL (a
// fresh database per test); then what only several collectors on one database can break.
const hasPg = canRunPostgres()
let server: TestPostgres | undefined
beforeAll(async () => {
  if (hasPg) server = await startPostgres()
}, 120_000)
// Stopping a server that held dozens of test databases takes a while on a loaded machine.
afterAll(async () => {
  await server?.stop()
}, 120_000)

async function openOn(url: string, clock?: () => Date): Promise<PgBackend> {
  const policy = loadScoringPolicy()
  return pgBackend(await openPgStore(url, policy, { maxConnections: 5 }), { policy, ...(clock ? { clock } : {}) })
}

const openPgBackend: OpenBackend = async (options = {}) => {
  const backend = await openOn(await server!.createDatabase(), options.clock)
  return {
    backend,
    async sql(text, params = []) {
      let n = 0
      return (await backend.store.pool.query(text.replace(/\?/g, () => `$${++n}`), [...params])).rows as Record<string, unknown>[]
    },
    async disableAuditTriggers() {
      await backend.store.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update')
    },
    close: () => backend.close(),
  }
}

const skip = { skip: !hasPg }
describeAuditLogContract('PostgreSQL', openPgBackend, skip)
describeWaiverStoreContract('PostgreSQL', openPgBackend, skip)
describeAccountStoreContract('PostgreSQL', openPgBackend, skip)
describeScheduleStoreContract('PostgreSQL', openPgBackend, skip)
describeSshNodeStoreContract('PostgreSQL', openPgBackend, skip)
describeAlertStoreContract('PostgreSQL', openPgBackend, skip)
describeEvidenceBackendContract('PostgreSQL', openPgBackend, skip)
describeDashboardQueriesContract('PostgreSQL', openPgBackend, skip)

describe.skipIf(!hasPg)('several collectors on one PostgreSQL', () => {
  const opened: PgBackend[] = []
  const open = async (url: string, clock?: () => Date) => {
    const backend = await openOn(url, clock)
    opened.push(backend)
    return backend
  }
  afterEach(async () => {
    for (const backend of opened.splice(0)) await backend.close()
  })

  it('keeps one audit chain when two collectors append at the same moment', async () => {
    const url = await server!.createDatabase()
    const [a, b] = await Promise.all([open(url), open(url)])
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).audit.append({ actor: `c${i % 2}`, action: 'login', target: null, outcome: 'success', ip: null, details: { i } })))
    expect(await verifyAuditChainAsync(a.audit.entries())).toMatchObject({ ok: true, count: 40 })
    expect(await verifyAuditChainAsync(b.audit.entries())).toMatchObject({ ok: true, count: 40 })
  })

  it('hands each outbox message to one delivery worker, and again once its claim runs out', async () => {
    const url = await server!.createDatabase()
    const [a, b] = await Promise.all([open(url), open(url)])
    const now = new Date('2026-03-02T10:00:00Z')
    const { webhook } = await a.alerts.addWebhook({ url: 'https://hooks.example.net/x', events: ['finding.new'], minSeverity: 'high', format: 'json' }, now)
    const messages = Array.from({ length: 12 }, (_, i) => ({ webhookId: webhook.id, dedupeKey: `k${i}`, messageId: `m${i}`, body: '{}' }))
    // The same messages queued through both collectors: stored once.
    const added = await Promise.all([a.alerts.enqueue(messages, now), b.alerts.enqueue(messages, now)])
    expect(added[0] + added[1]).toBe(12)
    const [fromA, fromB] = await Promise.all([a.alerts.due(now, 8, new Set()), b.alerts.due(now, 8, new Set())])
    const ids = [...fromA, ...fromB].map((m) => m.messageId)
    expect(ids).toHaveLength(12)
    expect(new Set(ids).size).toBe(12)
    // A worker that died mid-send: its messages come due again after the claim.
    expect(await a.alerts.due(new Date(now.getTime() + 240_000), 20, new Set())).toEqual([])
    expect(await b.alerts.due(new Date(now.getTime() + 301_000), 20, new Set())).toHaveLength(12)
  })

  it('fires a time-based condition once, whichever collector sees it first', async () => {
    const url = await server!.createDatabase()
    const [a, b] = await Promise.all([open(url), open(url)])
    const now = new Date()
    const fired = await Promise.all([a.alerts.fireCondition('silent|n1|x', now), b.alerts.fireCondition('silent|n1|x', now)])
    expect(fired.filter(Boolean)).toHaveLength(1)
  })

  it('serves manual evidence attached through one collector from the other', async () => {
    const url = await server!.createDatabase()
    const [a, b] = await Promise.all([open(url), open(url)])
    const item = await a.manualEvidence.add({ framework: 'soc2', control: 'CC1.1', fileName: 'p.txt', mediaType: 'text/plain', note: 'n', addedBy: 'user:x', content: Buffer.from('shared bytes') }, new Date())
    const parts: Buffer[] = []
    for await (const part of b.manualEvidence.content(item)) parts.push(part)
    expect(Buffer.concat(parts).toString()).toBe('shared bytes')
  })

  it('refuses a second live schedule of one name added through two collectors at once', async () => {
    const url = await server!.createDatabase()
    const [a, b] = await Promise.all([open(url), open(url)])
    const spec = parseScheduleSpec({ name: 'nightly', cron: '30 2 * * *', timeZone: 'UTC', jitterMs: 0, target: { kind: 'all' }, mode: 'agent', domains: ['system'] })
    const results = await Promise.allSettled([a.schedules.add(spec, new Date()), b.schedules.add(spec, new Date())])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'BAD_INPUT' } })
  })
})

