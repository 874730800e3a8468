import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Agent } from '../../agent/agent-runtime.js'
import { saveAgentState } from '../../agent/agent-state.js'
import type { Collector } from '../../collector/build-collector.js'
import { loadOrCreateTlsIdentity } from '../../collector/certificate/self-signed-cert.js'
import { loadOrCreateSigningKey, signingKeyPath } from '../../collector/evidence/signing-key.js'
import { closePgPool, openPgPool, type PgPool } from '../../collector/store/pg/pg-pool.js'
import { postureBin } from '../helpers/cli.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'
import { eventCount, fakeAgent, joinAgent, startCollector } from './collector-fixtures.js'

/**
 * Rule reloads across collectors on one real PostgreSQL: a SIGHUP to one real collector
 * process reaches an agent connected to another collector (reloaded there, pack pushed
 * there), the nodes are re-scored once; and two collectors starting together re-score the
 * stale nodes once, on the leader.
 */
const hasPg = canRunPostgres()

describe.skipIf(!hasPg)('rule reloads with several collectors on PostgreSQL', () => {
  let server: TestPostgres
  let dir: string
  let pool: PgPool | undefined
  let child: ChildProcessWithoutNullStreams | undefined
  const collectors: Collector[] = []
  const agents: Agent[] = []

  beforeAll(async () => {
    server = await startPostgres()
  }, 120_000)
  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.stop()
    for (const c of collectors.splice(0)) await c.close()
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
    child = undefined
    if (pool) await closePgPool(pool)
    pool = undefined
    if (dir) rmSync(dir, { recursive: true, force: true })
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
  })

  /** One TLS identity and one signing key, copied into each collector's data directory as the README says. */
  async function sharedFiles(): Promise<{ certFile: string; keyFile: string; dataDir(name: string): string }> {
    dir = mkdtempSync(join(tmpdir(), 'posture-pg-rules-'))
    await loadOrCreateTlsIdentity({ dataDir: join(dir, 'shared'), hostnames: ['127.0.0.1'], now: new Date() })
    loadOrCreateSigningKey(join(dir, 'shared'))
    return {
      certFile: join(dir, 'shared', 'tls', 'cert.pem'),
      keyFile: join(dir, 'shared', 'tls', 'key.pem'),
      dataDir(name) {
        const data = join(dir, name)
        mkdirSync(data, { recursive: true, mode: 0o700 })
        if (!existsSync(signingKeyPath(data))) copyFileSync(signingKeyPath(join(dir, 'shared')), signingKeyPath(data))
        return data
      },
    }
  }

  /** A fresh database, the shared files and an empty rules directory for the collectors of one test. */
  async function cluster() {
    const files = await sharedFiles()
    const database = await server.createDatabase()
    pool = openPgPool({ url: database })
    const rulesDir = join(dir, 'rules')
    mkdirSync(rulesDir)
    return { files, database, rulesDir, tls: { certFile: files.certFile, keyFile: files.keyFile } }
  }

  async function rescoreEntries(): Promise<number> {
    const { rows } = await pool!.query<{ n: string }>("SELECT count(*) AS n FROM scans WHERE kind = 'rescore'")
    return Number(rows[0]!.n)
  }

  it('a SIGHUP to collector A pushes the new pack to an agent connected to collector B, and re-scores once', async () => {
    if (!existsSync(postureBin)) throw new Error(`${postureBin} is missing: run npx tsc -p tsconfig.build.json`)
    const { files, database, rulesDir } = await cluster()

    // Collector A: the real CLI process, reloading on SIGHUP.
    child = spawn(process.execPath, [
      postureBin, 'collector', '--database', database, '--data', files.dataDir('a'), '--listen', '127.0.0.1:0',
      '--tls-cert', files.certFile, '--tls-key', files.keyFile, '--rules', rulesDir,
    ])
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    while (!/listening on https:/.test(out)) {
      if (child.exitCode !== null) throw new Error(`collector A exited ${child.exitCode}: ${out}`)
      await Promise.race([once(child.stdout, 'data'), once(child.stderr, 'data'), once(child, 'exit')])
    }

    // Collector B in this process, same rule directory; the agent connects to B only.
    const b = await startCollector(files.dataDir('b'), { database, rulesDirs: [rulesDir], tls: { certFile: files.certFile, keyFile: files.keyFile } })
    collectors.push(b)
    const stateDir = join(dir, 'agent')
    const state = { ...(await joinAgent(b, stateDir)), collectorUrl: b.url()! }
    saveAgentState(stateDir, state)
    const agent = fakeAgent(stateDir, state, { hostname: 'on-b', synchronized: false })
    agents.push(agent)
    const acked = eventCount(agent, 'acked', 1)
    agent.start()
    await acked
    expect(b.gateway.session(state.agentId)).toBeDefined()
    const before = b.scoring().ruleSet.version

    // The operator changes the rules and reloads A only.
    writeFileSync(join(rulesDir, 'site.yaml'), '- override: system.time-sync-enabled\n  severity: critical\n')
    const pushed = eventCount(agent, 'rules', 1)
    child.kill('SIGHUP')
    const [applied] = (await pushed) as [{ version: string; ok: boolean }]
    expect(applied.ok).toBe(true)
    expect(applied.version).not.toBe(before)
    expect(b.scoring().ruleSet.version).toBe(applied.version)
    await expect.poll(() => out, { timeout: 10_000 }).toContain(`rules reloaded (version ${applied.version}, 1 nodes re-scored)`)
    // A re-scored the node; B reloaded without re-scoring it again.
    expect(await rescoreEntries()).toBe(1)
    const [node] = await b.backend.store.listNodes()
    expect(node).toMatchObject({ score: 76.9, grade: 'C' })
  }, 120_000)

  it('two collectors starting together re-score the stale nodes once, on the leader', async () => {
    const { files, database, rulesDir, tls } = await cluster()

    // Three nodes scored with the built-in rules, then every collector stopped.
    const first = await startCollector(files.dataDir('a'), { database, rulesDirs: [rulesDir], tls })
    for (const hostname of ['n1', 'n2', 'n3']) {
      const stateDir = join(dir, `agent-${hostname}`)
      const agent = fakeAgent(stateDir, await joinAgent(first, stateDir), { hostname, synchronized: false })
      const acked = eventCount(agent, 'acked', 1)
      agent.start()
      await acked
      await agent.stop()
    }
    await first.close()

    // New rules on disk; both collectors start at once.
    writeFileSync(join(rulesDir, 'site.yaml'), '- override: system.time-sync-enabled\n  severity: critical\n')
    const started = await Promise.all([
      startCollector(files.dataDir('a'), { database, rulesDirs: [rulesDir], tls }),
      startCollector(files.dataDir('b'), { database, rulesDirs: [rulesDir], tls }),
    ])
    collectors.push(...started)
    const rescoredBy = started.map(() => 0)
    // Only re-scores done here: the other collector's arrive as remote copies, for live views.
    started.forEach((c, i) => c.events.on('rescore', (e) => void (e.remote || (rescoredBy[i] = (rescoredBy[i] ?? 0) + 1))))
    expect(started.filter((c) => c.cluster.leads())).toHaveLength(1)
    await expect.poll(() => rescoreEntries(), { timeout: 20_000 }).toBe(3)
    // Both collectors keep running their checks meanwhile: nothing is re-scored twice.
    await new Promise((r) => setTimeout(r, 1_500))
    expect(await rescoreEntries()).toBe(3)
    const leader = started.findIndex((c) => c.cluster.leads())
    expect(rescoredBy[1 - leader]).toBe(0)
    const nodes = await started[0]!.backend.store.listNodes()
    expect(nodes.map((n) => n.score)).toEqual([76.9, 76.9, 76.9])
  }, 120_000)

  it('two collectors reloaded at once (both sent SIGHUP) re-score each node once between them', async () => {
    const { files, database, rulesDir, tls } = await cluster()
    const a = await startCollector(files.dataDir('a'), { database, rulesDirs: [rulesDir], tls })
    const b = await startCollector(files.dataDir('b'), { database, rulesDirs: [rulesDir], tls })
    collectors.push(a, b)
    for (const hostname of ['n1', 'n2', 'n3', 'n4']) {
      const stateDir = join(dir, `agent-${hostname}`)
      const agent = fakeAgent(stateDir, await joinAgent(a, stateDir), { hostname, synchronized: false })
      agents.push(agent)
      const acked = eventCount(agent, 'acked', 1)
      agent.start()
      await acked
    }
    writeFileSync(join(rulesDir, 'site.yaml'), '- override: system.time-sync-enabled\n  severity: critical\n')
    const [ra, rb] = await Promise.all([a.reloadRules(), b.reloadRules()])
    expect(ra.changed && rb.changed).toBe(true)
    expect(ra.rescored + rb.rescored).toBe(4)
    expect(await rescoreEntries()).toBe(4)
  }, 120_000)
})
