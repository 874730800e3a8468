import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCollector, type Collector } from '../../collector/build-collector.js'
import { createApiToken } from '../../collector/collector-admin.js'
import { resolveCollectorConfig } from '../../collector/collector-config.js'
import { createEvidence } from '../../collector/evidence/evidence-plugin.js'
import type { ExportJobView } from '../../collector/evidence/export-jobs.js'
import { fakeReport } from './collector-fixtures.js'

/**
 * Export jobs on a collector with the API-token-only guard (buildCollector without the
 * dashboard, as the fleet-only collector runs): each API token owns its own jobs
 * (`token:<id>`), so another token neither lists, sees nor downloads them, while an admin
 * token may; the limits come from the config's `exports` section (keepArchives,
 * keepMs against the collector's clock). A real collector on 127.0.0.1:0 over HTTP.
 */
const dir = mkdtempSync(join(tmpdir(), 'posture-export-owners-'))
const dataDir = join(dir, 'data')
let collector: Collector
let url: string
let offsetMs = 0
const clock = () => new Date(Date.now() + offsetMs)
const tokens: Record<'alice' | 'bob' | 'root', { id: string; token: string }> = {} as never
const day = (d: number) => new Date(Date.UTC(2026, 2, d, 2))

beforeAll(async () => {
  const config = resolveCollectorConfig(
    { exports: { keepArchives: 1, keepMs: 60_000 } },
    { dataDir, listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 }, tls: { insecureHttp: true } },
    dir,
  )
  expect(config.exports).toEqual({ maxRunning: 1, maxQueued: 8, keepMs: 60_000, keepArchives: 1 })
  const evidence = createEvidence({ watchEveryMs: 60_000 })
  collector = await buildCollector(config, { logger: pino({ level: 'silent' }), clock, plugins: [evidence.plugin] })
  evidence.attach(collector)
  url = await collector.start()
  tokens.alice = await createApiToken(collector.store, 'auditor', 'alice-ci', new Date())
  tokens.bob = await createApiToken(collector.store, 'auditor', 'bob-ci', new Date())
  tokens.root = await createApiToken(collector.store, 'admin', 'root', new Date())
  const ruleSet = collector.scoring().ruleSet
  for (let d = 1; d <= 4; d++) {
    const report = await fakeReport(ruleSet, { hostname: 'web-1' }, day(d), `web-1-${d}`)
    const [stored] = await collector.store.ingest([{ kind: 'scan', agentId: null, seq: null, report, agentRulesVersion: null, scoredWith: 'test', receivedAt: day(d), labels: {}, agentVersion: null }])
    expect(stored?.status).toBe('stored')
  }
}, 60_000)

afterAll(async () => {
  await collector?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function api(method: string, path: string, who: keyof typeof tokens, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[who].token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await response.text()
  return { status: response.status, body: (response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : { text }) as Record<string, any> }
}

async function exportAs(who: keyof typeof tokens): Promise<ExportJobView> {
  const started = await api('POST', '/api/exports', who, { framework: 'soc2', from: '2026-03-01T00:00:00Z', to: '2026-03-05T00:00:00Z' })
  expect(started.status, JSON.stringify(started.body)).toBe(202)
  const deadline = Date.now() + 60_000
  for (;;) {
    const { status, body } = await api('GET', `/api/exports/${(started.body.job as ExportJobView).id}`, who)
    expect(status).toBe(200)
    const job = body.job as ExportJobView
    if (job.state !== 'queued' && job.state !== 'running') return job
    if (Date.now() > deadline) throw new Error(`export ${job.id} still ${job.state} after 60 s`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('export jobs with API tokens only', () => {
  let alices: ExportJobView
  let bobs: ExportJobView

  it('names each token by its id: one token’s job is not another’s to see, list or download', async () => {
    alices = await exportAs('alice')
    expect(alices).toMatchObject({ state: 'done', owner: `token:${tokens.alice.id}` })
    expect((await api('GET', `/api/exports/${alices.id}`, 'bob')).status).toBe(404)
    const download = await api('GET', alices.archive!.downloadUrl, 'bob')
    expect(download).toEqual({ status: 404, body: { error: { code: 'NOT_FOUND', message: `no export job ${alices.id} of yours` } } })
    expect((await api('GET', '/api/exports', 'bob')).body).toEqual({ jobs: [] })
    expect((await api('GET', '/api/exports?everyone=true', 'bob')).body.error).toEqual({ code: 'FORBIDDEN', message: 'only admins may list every owner’s exports' })

    bobs = await exportAs('bob')
    expect(bobs).toMatchObject({ state: 'done', owner: `token:${tokens.bob.id}` })
    expect((await api('GET', '/api/exports', 'bob')).body.jobs.map((j: ExportJobView) => j.id)).toEqual([bobs.id])
    expect((await api('GET', `/api/exports/${bobs.id}`, 'alice')).status).toBe(404)
  }, 120_000)

  it('keeps at most keepArchives finished archives (the config says 1): the older job expires and its file goes', async () => {
    expect(readdirSync(join(dataDir, 'exports'))).toEqual([`${bobs.id}.zip`])
    expect((await api('GET', `/api/exports/${alices.id}`, 'alice')).body.job).toMatchObject({ state: 'expired', archive: null })
    expect((await api('GET', alices.archive!.downloadUrl, 'alice')).body.error).toEqual({ code: 'NOT_FOUND', message: `export job ${alices.id} is expired, no archive to download` })
  })

  it('lets an admin token see and download anyone’s job, and list every owner’s', async () => {
    expect((await api('GET', `/api/exports/${bobs.id}`, 'root')).body.job).toMatchObject({ id: bobs.id, owner: `token:${tokens.bob.id}`, state: 'done' })
    const response = await fetch(`${url}${bobs.archive!.downloadUrl}`, { headers: { authorization: `Bearer ${tokens.root.token}` } })
    expect(response.status).toBe(200)
    expect(Buffer.from(await response.arrayBuffer()).length).toBe(bobs.archive!.bytes)
    // Their own list is their own; everyone's on request.
    expect((await api('GET', '/api/exports', 'root')).body).toEqual({ jobs: [] })
    expect((await api('GET', '/api/exports?everyone=true', 'root')).body.jobs.map((j: ExportJobView) => j.id)).toEqual([bobs.id, alices.id])

    const db = new Database(join(dataDir, 'posture.db'), { readonly: true })
    const downloads = db.prepare<[], { actor: string; details: string }>("SELECT actor, details FROM audit_log WHERE action = 'export.download' ORDER BY seq").all()
    db.close()
    expect(downloads.map((d) => [d.actor, (JSON.parse(d.details) as { job: string }).job])).toEqual([[`token:${tokens.root.id}`, bobs.id]])
  })

  it('expires a finished archive after keepMs (the config says a minute) by the collector’s clock', async () => {
    offsetMs = 61_000
    expect((await api('GET', `/api/exports/${bobs.id}`, 'bob')).body.job).toMatchObject({ state: 'expired', archive: null })
    expect(readdirSync(join(dataDir, 'exports'))).toEqual([])
  })
})
