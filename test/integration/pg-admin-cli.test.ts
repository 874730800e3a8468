import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPosture } from '../helpers/cli.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'

// The admin commands that read or change the collector's data, with --database on a real
// PostgreSQL: waivers, webhooks, schedules, the audit log and evidence exports.
const hasPg = canRunPostgres()
let server: TestPostgres | undefined
let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posture-pg-cli-'))
  if (hasPg) server = await startPostgres()
}, 120_000)
afterAll(async () => {
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
}, 120_000)

describe.skipIf(!hasPg)('admin commands with --database', () => {
  it('adds and lists waivers and webhooks, lists schedules, verifies the audit chain, exports evidence that verifies', async () => {
    const url = await server!.createDatabase()
    const db = ['--database', url]
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString()
    const added = await runPosture(['waiver', 'add', ...db, '--rule', 'system.time-sync-enabled', '--justification', 'NTP from the hypervisor', '--approver', 'J. Smith, CISO', '--expires', expires])
    expect(added.code, added.stderr).toBe(0)
    const waivers = await runPosture(['waiver', 'list', ...db, '--json'])
    expect(waivers.code, waivers.stderr).toBe(0)
    expect(JSON.parse(waivers.stdout)).toMatchObject([{ id: added.stdout.trim(), rule: 'system.time-sync-enabled', state: 'live' }])

    const hook = await runPosture(['collector', 'webhook', 'add', ...db, '--url', 'https://hooks.example.net/posture'])
    expect(hook.code, hook.stderr).toBe(0)
    const hooks = await runPosture(['collector', 'webhook', 'list', ...db, '--json'])
    expect(JSON.parse(hooks.stdout).webhooks).toMatchObject([{ url: 'https://hooks.example.net/posture', lastDelivery: null }])

    const schedules = await runPosture(['collector', 'schedule', 'list', ...db, '--json'])
    expect(schedules.code, schedules.stderr).toBe(0)

    const verified = await runPosture(['collector', 'audit', 'verify', ...db])
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(/audit log intact: 2 rows/)

    const out = join(dir, 'soc2.zip')
    const exported = await runPosture(['export', '--framework', 'soc2', ...db, '--data', join(dir, 'data'), '--out', out])
    expect(exported.code, exported.stderr).toBe(0)
    const checked = await runPosture(['verify', out])
    expect(checked.code, checked.stdout + checked.stderr).toBe(0)
  }, 180_000)
})
