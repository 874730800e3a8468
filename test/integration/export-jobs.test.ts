import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
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
import { createDashboard } from '../../collector/http/routes/dashboard.js'
import { runPosture } from '../helpers/cli.js'
import { readZipEntries } from '../unit/collector/evidence/zip-entries.js'
import { fakeReport } from './collector-fixtures.js'

/**
 * Evidence exports as background jobs through the API of a real collector on 127.0.0.1:0
 * (issue 11): POST answers 202 with a job at once, GET shows its progress, the finished
 * archive downloads from the job's link and verifies offline with `posture verify`;
 * nobody else sees the job; bad input is refused; the audit log names the job, the
 * manifest's SHA-256 and every download; the archive sits in <data>/exports/.
 */
const dir = mkdtempSync(join(tmpdir(), 'posture-export-jobs-'))
const dataDir = join(dir, 'data')
let collector: Collector
let url: string
const tokens: Record<string, string> = {}
const day = (d: number) => new Date(Date.UTC(2026, 2, d, 2))

beforeAll(async () => {
  const config = resolveCollectorConfig({}, { dataDir, listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 }, tls: { insecureHttp: true } }, dir)
  const evidence = createEvidence({ watchEveryMs: 60_000 })
  // The dashboard's guard names each token (token:<id>), which job ownership needs.
  const dashboard = createDashboard()
  collector = await buildCollector(config, { logger: pino({ level: 'silent' }), authorize: dashboard.authorize, plugins: [dashboard.plugin, evidence.plugin] })
  evidence.attach(collector)
  url = await collector.start()
  for (const role of ['operator', 'auditor'] as const) tokens[role] = (await createApiToken(collector.store, role, role, new Date())).token
  const ruleSet = collector.scoring().ruleSet
  for (let d = 1; d <= 6; d++) {
    for (const node of [{ hostname: 'web-1', synchronized: true }, { hostname: 'db-1', synchronized: false }]) {
      const report = await fakeReport(ruleSet, node, day(d), `${node.hostname}-${d}`)
      const [stored] = await collector.store.ingest([{ kind: 'scan', agentId: null, seq: null, report, agentRulesVersion: null, scoredWith: 'test', receivedAt: day(d), labels: { env: 'prod' }, agentVersion: null }])
      expect(stored?.status).toBe('stored')
    }
  }
}, 60_000)

afterAll(async () => {
  await collector?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function api(method: string, path: string, role: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[role]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> }
}

/** Polls the job (as the dashboard does) until it leaves queued/running; returns every state seen. */
async function untilFinished(id: string, role: string): Promise<{ job: ExportJobView; seen: ExportJobView[] }> {
  const seen: ExportJobView[] = []
  const deadline = Date.now() + 60_000
  for (;;) {
    const { status, body } = await api('GET', `/api/exports/${id}`, role)
    expect(status).toBe(200)
    const job = body.job as ExportJobView
    seen.push(job)
    if (job.state !== 'queued' && job.state !== 'running') return { job, seen }
    if (Date.now() > deadline) throw new Error(`export ${id} still ${job.state} after 60 s`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('evidence export jobs API', () => {
  let job: ExportJobView

  it('refuses a window that ends before it starts and an unknown framework', async () => {
    expect((await api('POST', '/api/exports', 'auditor', { framework: 'soc2', from: '2026-03-05', to: '2026-03-01' })).body.error).toEqual({ code: 'BAD_REQUEST', message: 'from: must be before to' })
    expect((await api('POST', '/api/exports', 'auditor', { framework: 'sox', from: '2026-03-01', to: '2026-03-05' })).body.error.message).toMatch(/^framework: unknown framework sox \(/)
    expect((await api('GET', '/api/exports/not-a-uuid', 'auditor')).status).toBe(400)
  })

  it('starts an export as a job at once (202), shows its progress, and finishes with a download link', async () => {
    const started = await api('POST', '/api/exports', 'auditor', { framework: 'soc2', from: '2026-03-02T00:00:00Z', to: '2026-03-05T00:00:00Z' })
    expect(started.status).toBe(202)
    job = started.body.job as ExportJobView
    expect(job).toMatchObject({ framework: 'soc2', from: '2026-03-02T00:00:00.000Z', to: '2026-03-05T00:00:00.000Z', owner: expect.stringMatching(/^token:\S+$/), archive: null, error: null })
    expect(['queued', 'running']).toContain(job.state)
    expect(started.headers.get('location')).toBe(`/api/exports/${job.id}`)

    const { job: done, seen } = await untilFinished(job.id, 'auditor')
    expect(done).toMatchObject({
      state: 'done',
      progress: { percent: 100, scansWritten: 6, scansTotal: 6 },
      archive: { downloadUrl: `/api/exports/${job.id}/archive`, fileName: 'posture-soc2-2026-03-02-2026-03-05.zip', manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    })
    expect(done.progress.filesWritten).toBeGreaterThanOrEqual(12)
    // Percent never goes back.
    const percents = seen.map((j) => j.progress.percent)
    expect(percents).toEqual([...percents].sort((a, b) => a - b))
    expect(readdirSync(join(dataDir, 'exports'))).toEqual([`${job.id}.zip`])
    job = done
  }, 90_000)

  it('hides the job from everyone but its owner', async () => {
    expect((await api('GET', `/api/exports/${job.id}`, 'operator')).status).toBe(404)
    expect((await fetch(`${url}${job.archive!.downloadUrl}`, { headers: { authorization: `Bearer ${tokens.operator}` } })).status).toBe(404)
    expect((await api('GET', '/api/exports', 'operator')).body.jobs).toEqual([])
    expect((await api('GET', '/api/exports', 'auditor')).body.jobs.map((j: ExportJobView) => j.id)).toEqual([job.id])
  })

  it('downloads an archive that posture verify accepts with the collector key', async () => {
    const response = await fetch(`${url}${job.archive!.downloadUrl}`, { headers: { authorization: `Bearer ${tokens.auditor}` } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/zip')
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="posture-soc2-2026-03-02-2026-03-05.zip"')
    const bytes = Buffer.from(await response.arrayBuffer())
    expect(bytes.length).toBe(job.archive!.bytes)
    const archive = join(dir, 'downloaded.zip')
    writeFileSync(archive, bytes)
    const entries = await readZipEntries(archive)
    expect(JSON.parse(entries.get('manifest.json')!.toString())).toMatchObject({ exportedBy: job.owner, counts: { scans: 6, nodes: 2 } })
    // methods.json: what the system gatherer read in these scans (the agents' reports carry it).
    const methods = JSON.parse(entries.get('methods.json')!.toString()) as { gatherers: { gatherer: string; recorded: boolean; files: string[]; commands: string[] }[] }
    expect(methods.gatherers.find((g) => g.gatherer === 'system')).toMatchObject({ recorded: true, commands: expect.arrayContaining(['timedatectl show', 'uname -m']), files: expect.arrayContaining(['/etc/machine-id', '/etc/os-release']) })

    const key = await fetch(`${url}/api/signing-key`, { headers: { authorization: `Bearer ${tokens.auditor}` } })
    const keyFile = join(dir, 'collector.pub')
    writeFileSync(keyFile, await key.text())
    const verified = await runPosture(['verify', archive, '--key', keyFile])
    expect(verified.code, verified.stdout + verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(/^OK .*SOC 2/)
  }, 120_000)

  it('writes the export and each download into the audit log, naming the job', async () => {
    const db = new Database(join(dataDir, 'posture.db'), { readonly: true })
    const entries = db
      .prepare<[], { action: string; actor: string; outcome: string; details: string }>('SELECT action, actor, outcome, details FROM audit_log ORDER BY seq')
      .all()
      .map((e) => ({ ...e, details: JSON.parse(e.details) as Record<string, unknown> }))
    db.close()
    const created = entries.find((e) => e.action === 'export.create')
    expect(created).toMatchObject({ actor: job.owner, outcome: 'success', details: { job: job.id, manifestSha256: job.archive!.manifestSha256, scans: 6 } })
    expect(entries.filter((e) => e.action === 'export.download')).toEqual([expect.objectContaining({ actor: job.owner, details: expect.objectContaining({ job: job.id, bytes: job.archive!.bytes }) })])
  })
})
