import { EventEmitter, once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Agent } from '../../agent/agent-runtime.js'
import { SqliteAuditLog } from '../../collector/audit/sqlite-audit-log.js'
import { buildCollector, type Collector } from '../../collector/build-collector.js'
import { resolveCollectorConfig } from '../../collector/collector-config.js'
import { nextRuns } from '../../collector/schedule/next-runs.js'
import type { ScheduleRun } from '../../collector/schedule/schedule-spec.js'
import { createSchedules } from '../../collector/schedule/schedules-plugin.js'
import { runPosture } from '../helpers/cli.js'
import { hasSshd, startSshd, type TestSshd } from '../helpers/sshd.js'
import { apiToken, eventCount, fakeAgent, joinAgent } from './collector-fixtures.js'

/**
 * Schedules in a real collector (buildCollector with the schedules plugin, as `posture
 * collector` runs it): through real agents (in process, fake hosts) and over SSH against a
 * real sshd; managed through the API and the real CLI; a schedule missed while the
 * collector was down runs once when it starts.
 */
let dir: string
let collectors: Collector[]
let agents: Agent[]
let offsetMs: number
const clock = () => new Date(Date.now() + offsetMs)
const finished = new EventEmitter<{ run: [ScheduleRun] }>()
const nextRun = () => once(finished, 'run').then(([run]) => run as ScheduleRun)

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-schedule-collector-'))
  collectors = []
  agents = []
  offsetMs = 0
})
afterEach(async () => {
  for (const a of agents) await a.stop()
  for (const c of collectors) await c.close()
  rmSync(dir, { recursive: true, force: true })
})

async function startCollector(dataDir: string): Promise<Collector> {
  const config = resolveCollectorConfig({}, { dataDir, listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 }, schedules: { pollMs: 300, agentReportTimeoutMs: 20_000 } }, dataDir)
  const schedules = createSchedules({ env: {}, onRunFinished: (run) => finished.emit('run', run) })
  const collector = await buildCollector(config, { logger: pino({ level: 'silent' }), clock, plugins: [schedules.plugin] })
  collectors.push(collector)
  await collector.start()
  return collector
}

async function startAgent(collector: Collector, name: string, labels: Record<string, string>): Promise<{ agent: Agent; nodeScan: string }> {
  const stateDir = join(dir, `agent-${name}`)
  const state = await joinAgent(collector, stateDir, labels)
  const agent = fakeAgent(stateDir, state, { hostname: name })
  agents.push(agent)
  const acked = eventCount(agent, 'acked', 1)
  agent.start()
  const [ack] = (await acked) as { scanId: string }[]
  return { agent, nodeScan: ack!.scanId }
}

describe('schedules in the collector', () => {
  it('fires an agent schedule at its slot: the selected agents scan, their reports are stored, an offline node is a failure', async () => {
    const collector = await startCollector(join(dir, 'data'))
    const admin = { authorization: `Bearer ${await apiToken(collector, 'admin')}` }
    const prod = await startAgent(collector, 'web-1', { env: 'prod' })
    const prod2 = await startAgent(collector, 'web-2', { env: 'prod' })
    await startAgent(collector, 'dev-1', { env: 'dev' })
    await prod2.agent.stop() // its node stays in the fleet, its agent is gone

    const created = await collector.app.inject({
      method: 'POST',
      url: '/api/schedules',
      headers: admin,
      payload: { name: 'nightly', cron: '*/5 * * * *', mode: 'agent', target: { kind: 'labels', labels: { env: 'prod' } }, domains: ['system'] },
    })
    expect(created.statusCode, created.body).toBe(201)
    const schedule = (created.json() as { schedule: { nextRuns: string[]; createdAt: string } }).schedule
    const slot = nextRuns({ cron: '*/5 * * * *', timeZone: 'UTC', jitterMs: 0 }, new Date(schedule.createdAt), 1)[0]!
    expect(schedule.nextRuns[0]).toBe(slot.toISOString())

    const done = nextRun()
    offsetMs += slot.getTime() - 500 - clock().getTime() // half a second before the slot
    const run = await done
    expect(run).toMatchObject({ trigger: 'slot', slot: slot.toISOString(), status: 'partial', targeted: 2, scanned: 1 })
    expect(run.failures).toEqual([{ target: 'web-2', reason: 'its agent is not connected' }])
    const [scan] = run.scans
    expect(scan?.target).toBe('web-1')
    const report = (await collector.app.inject({ url: `/api/nodes/${scan!.nodeId}`, headers: admin })).json() as { report: { scanId: string } }
    expect(report.report.scanId).toBe(scan!.scanId)
    expect(scan!.scanId).not.toBe(prod.nodeScan)

    const runs = (await collector.app.inject({ url: '/api/schedules/nightly/runs', headers: admin })).json() as { runs: ScheduleRun[] }
    expect(runs.runs).toEqual([run])
  }, 120_000)

  it('manages schedules and SSH nodes through the API with clear errors, roles and an audit trail', async () => {
    const collector = await startCollector(join(dir, 'data'))
    const admin = { authorization: `Bearer ${await apiToken(collector, 'admin')}` }
    const auditor = { authorization: `Bearer ${await apiToken(collector, 'auditor')}` }
    const post = (url: string, payload: unknown, headers = admin) => collector.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> })

    const bad = await post('/api/schedules', { name: 'x', cron: '* * * * * *', mode: 'ssh' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^schedule: cron: cron "\* \* \* \* \* \*": use five fields/) } })
    expect((await post('/api/schedules', { name: 'x', cron: '@daily', mode: 'ssh' }, auditor)).statusCode).toBe(403)
    expect((await post('/api/schedules', { name: 'x', cron: '@daily', mode: 'ssh', timeZone: 'Europe/Berlin' })).statusCode).toBe(201)
    expect((await post('/api/schedules', { name: 'x', cron: '@daily', mode: 'ssh' })).statusCode).toBe(409)
    expect((await collector.app.inject({ url: '/api/schedules', headers: auditor })).json()).toMatchObject({ schedules: [{ name: 'x', timeZone: 'Europe/Berlin', nextRuns: [expect.any(String), expect.any(String), expect.any(String)] }] })
    const disabled = await collector.app.inject({ method: 'PATCH', url: '/api/schedules/x', headers: admin, payload: { enabled: false } })
    expect(disabled.json()).toMatchObject({ schedule: { enabled: false, nextRuns: [] } })

    expect((await post('/api/ssh-nodes', { name: 'legacy', address: 'root@10.0.0.9', key: 'relative/path' })).json()).toMatchObject({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('absolute path') } })
    const node = await post('/api/ssh-nodes', { name: 'legacy', address: 'root@10.0.0.9:2222', key: '/etc/posture/keys/fleet', labels: { rack: 'r1' } })
    expect(node.statusCode).toBe(201)
    expect(node.json()).toMatchObject({ node: { name: 'legacy', address: 'root@10.0.0.9:2222', key: '/etc/posture/keys/fleet', hostKey: null } })
    const trust = await post('/api/ssh-nodes/legacy/trust', { fingerprint: 'SHA256:abc' })
    expect(trust.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'no host key is pinned for [10.0.0.9]:2222: the next scan pins the key it sees' } })
    expect((await collector.app.inject({ method: 'DELETE', url: '/api/ssh-nodes/legacy', headers: admin })).statusCode).toBe(200)
    expect((await collector.app.inject({ method: 'DELETE', url: '/api/schedules/x', headers: admin })).statusCode).toBe(200)
    expect((await collector.app.inject({ method: 'DELETE', url: '/api/schedules/x', headers: admin })).statusCode).toBe(404)

    const audit = await new SqliteAuditLog(collector.store.db).list({ limit: 20 })
    expect(audit.map((e) => `${e.action} ${e.target} ${e.outcome} ${String(e.details.change)}`).reverse()).toEqual([
      'schedule.change schedule:x success add',
      'schedule.change schedule:x success disable',
      'ssh-node.change ssh-node:legacy success add',
      'ssh-node.change ssh-node:legacy failure trust-host-key',
      'ssh-node.change ssh-node:legacy success remove',
      'schedule.change schedule:x success remove',
    ])
  }, 60_000)
})

const sshAvailable = hasSshd()
if (!sshAvailable && !process.env.CI) console.warn('SKIPPED: ssh schedule catch-up test needs /usr/sbin/sshd (apt-get install openssh-server)')

describe.skipIf(!sshAvailable && !process.env.CI)('ssh schedules made with the CLI', () => {
  let sshd: TestSshd
  beforeEach(async () => {
    sshd = await startSshd()
  })
  afterEach(async () => {
    await sshd?.stop()
  })

  it('runs a schedule missed while the collector was down once on start, and the CLI shows the run', async () => {
    const data = join(dir, 'data')
    const cli = (...args: string[]) => runPosture(['collector', ...args, '--data', data])
    const added = await cli('ssh-node', 'add', 'self', `${sshd.username}@127.0.0.1:${sshd.port}`, '--key', sshd.clientKeyPath, '--labels', 'env=test')
    expect(added.stdout, added.stderr).toBe(`added SSH node self: ${sshd.username}@127.0.0.1:${sshd.port}, key ${sshd.clientKeyPath}\nits host key is pinned at its first scan\n`)
    const schedule = await cli('schedule', 'add', 'audit', '--cron', '0 3 * * *', '--tz', 'Europe/Berlin', '--mode', 'ssh', '--labels', 'env=test', '--only', 'system,access')
    expect(schedule.code, schedule.stderr).toBe(0)
    expect(schedule.stdout).toMatch(/^added schedule audit: "0 3 \* \* \*" Europe\/Berlin, ssh, env=test, domains system,access\nnext runs: /)

    // The collector comes back three days later: three slots passed, it runs once.
    offsetMs = 3 * 86_400_000 + 3_600_000
    const done = nextRun()
    const collector = await startCollector(data)
    const run = await done
    expect(run).toMatchObject({ trigger: 'catch-up', missedSlots: 2, status: 'ok', targeted: 1, scanned: 1, failures: [] })
    const slots = nextRuns({ cron: '0 3 * * *', timeZone: 'Europe/Berlin', jitterMs: 0 }, new Date(Date.now()), 3)
    expect(run.slot).toBe(slots[2]!.toISOString())

    const admin = { authorization: `Bearer ${await apiToken(collector, 'admin')}` }
    const node = (await collector.app.inject({ url: `/api/nodes/${run.scans[0]!.nodeId}`, headers: admin })).json() as { report: { source: string; domains: string[] } }
    expect(node.report).toMatchObject({ source: `ssh:${sshd.username}@127.0.0.1:${sshd.port}`, domains: ['system', 'access'] })

    // Beside the running collector, the CLI reads the history and the pin.
    const runs = await cli('schedule', 'runs', 'audit')
    expect(runs.stdout).toMatch(new RegExp(`^#${run.id} ok catch-up for ${run.slot!.replace(/\./g, '\\.')} \\(2 missed slots skipped\\), started \\S+, 1/1 scanned\\n$`))
    const nodes = await cli('ssh-node', 'list')
    expect(nodes.stdout).toContain(`host key: ssh-ed25519 ${sshd.hostKeyFingerprint}`)
    const list = await cli('schedule', 'list', '--json')
    expect(JSON.parse(list.stdout)).toMatchObject({ schedules: [{ name: 'audit', lastRun: { id: run.id, status: 'ok' } }] })
    expect((await cli('schedule', 'remove', 'audit')).stdout).toBe('removed schedule audit (its run history is kept)\n')
    expect((await cli('schedule', 'remove', 'audit'))).toMatchObject({ code: 2, stderr: 'posture collector: no schedule named audit\n' })
  }, 240_000)
})
