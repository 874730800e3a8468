import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../../collector/audit/sqlite-audit-log.js'
import { buildCollector, type Collector } from '../../collector/build-collector.js'
import { resolveCollectorConfig } from '../../collector/collector-config.js'
import { createSchedules } from '../../collector/schedule/schedules-plugin.js'
import { apiToken } from './collector-fixtures.js'

/** PUT /api/schedules/:name (the dashboard's "Edit") and the admin-only host key trust. */
let dir: string
let collector: Collector

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posture-schedule-edit-'))
  const config = resolveCollectorConfig({}, { dataDir: dir, listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 } }, dir)
  collector = await buildCollector(config, { logger: pino({ level: 'silent' }), plugins: [createSchedules({ env: {} }).plugin] })
  await collector.start()
})
afterEach(async () => {
  await collector.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('schedule edit API', () => {
  it('replaces the spec in place for operators, keeps the name, refuses auditors, audits the change', async () => {
    const operator = { authorization: `Bearer ${await apiToken(collector, 'operator')}` }
    const auditor = { authorization: `Bearer ${await apiToken(collector, 'auditor')}` }
    const send = (method: 'POST' | 'PUT', url: string, payload: Record<string, unknown>, headers = operator) => collector.app.inject({ method, url, headers, payload })
    const added = await send('POST', '/api/schedules', { name: 'nightly', cron: '0 3 * * *', mode: 'agent' })
    expect(added.statusCode).toBe(201)
    const id = added.json().schedule.id as number

    const edited = await send('PUT', '/api/schedules/nightly', { cron: '30 4 * * 1-5', timeZone: 'Europe/Berlin', mode: 'ssh', target: { kind: 'labels', labels: { env: 'prod' } }, domains: ['system', 'tls'] })
    expect(edited.statusCode).toBe(200)
    expect(edited.json().schedule).toMatchObject({ id, name: 'nightly', cron: '30 4 * * 1-5', timeZone: 'Europe/Berlin', mode: 'ssh', target: { kind: 'labels', labels: { env: 'prod' } }, domains: ['system', 'tls'], enabled: true })
    expect(edited.json().schedule.nextRuns).toHaveLength(3)

    expect((await send('PUT', '/api/schedules/nightly', { name: 'renamed', cron: '@daily', mode: 'agent' })).json()).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('cannot be renamed') } })
    expect((await send('PUT', '/api/schedules/nightly', { cron: '61 * * * *', mode: 'agent' })).json().error.code).toBe('BAD_REQUEST')
    expect((await send('PUT', '/api/schedules/missing', { cron: '@daily', mode: 'agent' })).statusCode).toBe(404)
    expect((await send('PUT', '/api/schedules/nightly', { cron: '@daily', mode: 'agent' }, auditor)).statusCode).toBe(403)

    const audit = await new SqliteAuditLog(collector.store.db).list({ limit: 10 })
    expect(audit.map((e) => `${e.target} ${String(e.details.change)}`).reverse()).toEqual(['schedule:nightly add', 'schedule:nightly edit'])
  })

  it('lets only admins pin a changed SSH host key', async () => {
    const operator = { authorization: `Bearer ${await apiToken(collector, 'operator')}` }
    const admin = { authorization: `Bearer ${await apiToken(collector, 'admin')}` }
    const trust = (headers: Record<string, string>) => collector.app.inject({ method: 'POST', url: '/api/ssh-nodes/legacy/trust', headers, payload: { fingerprint: 'SHA256:abc' } })
    expect((await collector.app.inject({ method: 'POST', url: '/api/ssh-nodes', headers: operator, payload: { name: 'legacy', address: 'root@10.0.0.9', key: 'agent' } })).statusCode).toBe(201)
    expect((await trust(operator)).statusCode).toBe(403)
    expect((await trust(admin)).json().error.code).toBe('BAD_REQUEST') // allowed; nothing was refused yet
  })
})
