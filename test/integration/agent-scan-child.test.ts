import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Agent } from '../../agent/agent-runtime.js'
import { ForkedScanRunner } from '../../agent/forked-scan-runner.js'
import type { Collector } from '../../collector/build-collector.js'
import { createJoinString } from '../../collector/collector-admin.js'
import { captureLog, eventCount, joinAgent, startCollector } from './collector-fixtures.js'

/**
 * `posture agent` scans in a short-lived child process (agent/scan-child.ts) so that the
 * long-lived process stays small. Real collector on 127.0.0.1:0, real child processes: the
 * built scan child (dist/) for real scans, and a misbehaving stand-in
 * (test/fixtures/agent/scan-child-misbehaving.mjs) for crashes, hangs and what a child is told.
 */
const root = resolve(fileURLToPath(import.meta.url), '..', '..', '..')
const realChild = join(root, 'dist', 'agent', 'scan-child.js')
const badChild = join(root, 'test', 'fixtures', 'agent', 'scan-child-misbehaving.mjs')
const cli = join(root, 'dist', 'cli', 'posture.js')

let dir: string
let collector: Collector | undefined
let agent: Agent | undefined
let processes: ChildProcessWithoutNullStreams[] = []

beforeAll(() => {
  if (!existsSync(realChild)) throw new Error(`${realChild} is missing: run npm run build`)
})
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-scan-child-'))
})
afterEach(async () => {
  await agent?.stop()
  agent = undefined
  for (const p of processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
  processes = []
  await collector?.close()
  collector = undefined
  rmSync(dir, { recursive: true, force: true })
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    expect((err as NodeJS.ErrnoException).code).toBe('ESRCH')
    return false
  }
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('scans in a child process', () => {
  it('spools, sends and deletes on ack a report a real scan child made; a pushed rule pack is used by the next scan', { timeout: 60_000 }, async () => {
    const rulesDir = join(dir, 'rules')
    mkdirSync(rulesDir)
    collector = await startCollector(join(dir, 'data'), { rulesDirs: [rulesDir] })
    const stateDir = join(dir, 'agent')
    const state = await joinAgent(collector, stateDir)
    const { log, lines } = captureLog()
    const scanner = new ForkedScanRunner({ stateDir, configPath: null, childModule: realChild })
    agent = new Agent({ stateDir, state, scanner, domains: ['system'], intervalMs: 3_600_000, log, backoff: { baseMs: 20, maxMs: 200 } })
    const acked = eventCount(agent, 'acked', 1)
    agent.start()
    await acked
    expect(agent.spool.pending).toBe(0)
    const spooled = lines().find((l) => l.msg === 'scan spooled')
    expect(spooled?.scanPeakRssBytes).toBeGreaterThan(20 * 1024 * 1024)
    expect(spooled?.scanChildCpuMs).toBeGreaterThan(0)
    const [node] = await collector.store.listNodes()
    const first = await collector.store.latestReport(node!.id)
    expect(first?.domains).toEqual(['system'])
    expect(first?.rulesVersion).toBe(agent.rulesVersion)

    writeFileSync(join(rulesDir, 'site.yaml'), '- override: system.time-sync-enabled\n  severity: critical\n')
    const pushed = eventCount(agent, 'rules', 1)
    await collector.reloadRules()
    const [status] = (await pushed) as [{ version: string; ok: boolean }]
    expect(status.ok).toBe(true)
    expect(readdirSync(join(stateDir, 'rules'))).toEqual(['00-site.yaml'])
    expect(agent.rulesVersion).toBe(status.version)

    const again = eventCount(agent, 'acked', 1)
    await agent.scanNow('after-rules')
    await again
    const second = await collector.store.latestReport(node!.id)
    expect(second).toMatchObject({ scanId: 'after-rules', rulesVersion: status.version })
    expect(second?.findings.find((f) => f.rule === 'system.time-sync-enabled')?.severity).toBe('critical')
  })

  it('a rule pack that does not load is refused by the child and the installed pack is kept', { timeout: 30_000 }, async () => {
    const stateDir = join(dir, 'agent')
    const scanner = new ForkedScanRunner({ stateDir, configPath: null, childModule: realChild })
    const good = await scanner.applyRules({ 'site.yaml': '- override: system.time-sync-enabled\n  severity: critical\n' })
    expect(good).toBe(await scanner.rulesVersion())
    const refused = scanner.applyRules({ 'site.yaml': '- override: no.such-rule\n  severity: critical\n' })
    await expect(refused).rejects.toMatchObject({ code: 'BAD_RULE_FILE' })
    expect(readFileSync(join(stateDir, 'rules', 'site.yaml'), 'utf8')).toContain('system.time-sync-enabled')
    expect(existsSync(join(stateDir, 'rules.new'))).toBe(false)
    expect(await scanner.rulesVersion()).toBe(good)
  })

  it('reports a child that crashes or hangs as a failed scan, keeps running, and passes the node config to the next child', { timeout: 60_000 }, async () => {
    collector = await startCollector(join(dir, 'data'))
    const stateDir = join(dir, 'agent')
    const state = await joinAgent(collector, stateDir, { env: 'prod', 'network-group': 'web' })
    const { log, lines } = captureLog()
    const scanner = new ForkedScanRunner({ stateDir, configPath: null, childModule: badChild, scanTimeoutMs: 5_000 })
    agent = new Agent({ stateDir, state, scanner, domains: ['system'], intervalMs: 3_600_000, log, backoff: { baseMs: 20, maxMs: 200 }, scanOnStart: false })
    const configured = eventCount(agent, 'node-config', 1)
    agent.start()
    await configured

    const crashed = eventCount(agent, 'scan-error', 1)
    await agent.scanNow('crash-1')
    expect(await crashed).toEqual([{ scanId: 'crash-1', error: 'scan child exited with code 3 before answering' }])
    expect(lines().find((l) => l.msg === 'scan failed')).toMatchObject({ level: 50, scanId: 'crash-1', err: 'scan child exited with code 3 before answering' })

    const hung = eventCount(agent, 'scan-error', 1)
    await agent.scanNow('hang-1')
    expect(await hung).toEqual([{ scanId: 'hang-1', error: 'scan child did not finish within 5000 ms and was killed' }])
    expect(alive(Number(readFileSync(join(stateDir, 'child.pid'), 'utf8')))).toBe(false)

    // Still running: the next scan happens, and its child is told the collector's view of the node.
    const recorded = eventCount(agent, 'scan-error', 1)
    await agent.scanNow('record-1', ['network'])
    await recorded
    const request = JSON.parse(readFileSync(join(stateDir, 'request.json'), 'utf8')) as { job: { domains: string[]; view: { labels: Record<string, string>; isolation: { group: string | null; peers: unknown[] } } } }
    expect(request.job).toMatchObject({ domains: ['network'], view: { labels: { env: 'prod', 'network-group': 'web' }, isolation: { group: 'web', peers: [] } } })
    expect(agent.connected).toBe(true)
    expect(agent.spool.pending).toBe(0)
  })

  it('stop() during a scan terminates the child and waits for it; the interrupted scan is not reported as failed', { timeout: 30_000 }, async () => {
    collector = await startCollector(join(dir, 'data'))
    const stateDir = join(dir, 'agent')
    const state = await joinAgent(collector, stateDir)
    const { log, lines } = captureLog()
    const scanner = new ForkedScanRunner({ stateDir, configPath: null, childModule: badChild })
    agent = new Agent({ stateDir, state, scanner, domains: ['system'], intervalMs: 3_600_000, log, backoff: { baseMs: 20, maxMs: 200 }, scanOnStart: false })
    agent.start()
    const errors = eventCount(agent, 'scan-error', 1)
    const scan = agent.scanNow('hang-2')
    const pidFile = join(stateDir, 'child.pid')
    await until(() => existsSync(pidFile))
    const pid = Number(readFileSync(pidFile, 'utf8'))
    expect(alive(pid)).toBe(true)
    await agent.stop()
    await scan
    expect(alive(pid)).toBe(false)
    expect(lines().find((l) => l.msg === 'scan interrupted: the agent is stopping')).toMatchObject({ scanId: 'hang-2' })
    expect(await Promise.race([errors.then(() => 'error'), new Promise((r) => setTimeout(() => r('none'), 200))])).toBe('none')
  })

  it('`posture agent` on SIGTERM during a scan kills its scan child and exits 0', { timeout: 60_000 }, async () => {
    collector = await startCollector(join(dir, 'data'))
    const { joinString } = await createJoinString(collector.backend.store, { labels: {}, ttlMs: 60_000, now: new Date() })
    const child = spawn(process.execPath, [cli, 'agent', '--join', joinString, '--state', join(dir, 'agent'), '--interval', '1h', '--only', 'system,patches'])
    processes.push(child)
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    // The first scan starts right away: wait for the agent's scan child (a process whose parent is the agent).
    let scanPid = 0
    await until(() => {
      scanPid = childrenOf(child.pid!)[0] ?? 0
      return scanPid > 0 && stderr.includes('connected to the collector')
    })
    child.kill('SIGTERM')
    const [code] = (await once(child, 'exit')) as [number | null]
    expect(code, stderr).toBe(0)
    expect(stderr).toContain('joined ')
    expect(alive(scanPid)).toBe(false)
  })
})

/** Pids whose parent is `pid` (proc(5): field 4 of /proc/PID/stat). */
function childrenOf(pid: number): number[] {
  const found: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(name))
    } catch {
      // The process ended between readdir and read: not a child any more.
    }
  }
  return found
}
