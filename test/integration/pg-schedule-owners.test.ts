import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadOrCreateTlsIdentity } from '../../collector/certificate/self-signed-cert.js'
import { loadOrCreateSigningKey } from '../../collector/evidence/signing-key.js'
import { closePgPool, openPgPool, type PgPool } from '../../collector/store/pg/pg-pool.js'
import { postureBin, runPosture } from '../helpers/cli.js'
import { startPgCollectorProcess, type CollectorProcess } from '../helpers/collector-process.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'

/**
 * Scheduled runs owned by the collector running them (migration 8), with two real
 * collector processes on one real PostgreSQL. Each starts a run ("run now") of an SSH
 * schedule whose node accepts TCP and never answers, so both runs stay in flight. One
 * collector is killed (SIGKILL): once its cluster presence expires, the survivor's sweep
 * marks its run `interrupted`; the survivor's own run is untouched, and so it stays when a
 * third collector starts (start no longer interrupts every run in flight). The survivor's
 * run then ends with its real outcome.
 */
const hasTools = canRunPostgres() && hasSshKeygen()

function hasSshKeygen(): boolean {
  const ok = spawnSync('ssh-keygen', ['-?'], { encoding: 'utf8' }).error === undefined
  if (!ok) {
    if (process.env.CI) throw new Error('ssh-keygen is required in CI (openssh-client, installed by .ci/run)')
    console.warn('SKIPPED: pg-schedule-owners needs ssh-keygen (apt-get install openssh-client)')
  }
  return ok
}


interface RunRow {
  id: number
  status: string
  owner: string | null
  failures: string
}

describe.skipIf(!hasTools)('schedule runs of a killed collector, on PostgreSQL', () => {
  let pgServer: TestPostgres
  let pool: PgPool
  let dir: string
  let database: string
  let ca: string
  let silent: Server
  const held: Socket[] = []
  const collectors: CollectorProcess[] = []

  beforeAll(async () => {
    if (!existsSync(postureBin)) throw new Error(`${postureBin} is missing: run npx tsc -p tsconfig.build.json`)
    pgServer = await startPostgres()
    database = await pgServer.createDatabase()
    pool = openPgPool({ url: database })
    // An "SSH server" that accepts connections and never sends its banner: a scan of it waits.
    silent = createServer((socket) => {
      held.push(socket)
      socket.on('error', () => {})
    })
    silent.listen(0, '127.0.0.1')
    await once(silent, 'listening')
  }, 120_000)

  afterAll(async () => {
    for (const socket of held) socket.destroy()
    for (const c of collectors) {
      if (c.child.exitCode === null && c.child.signalCode === null) {
        c.child.kill('SIGTERM')
        await once(c.child, 'exit')
      }
    }
    silent?.close()
    await closePgPool(pool)
    await pgServer?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  function startCollectorProcess(name: string, configPath: string): Promise<CollectorProcess> {
    return startPgCollectorProcess({ database, dataDir: join(dir, name), sharedDir: join(dir, 'shared'), configPath, spawned: (c) => collectors.push(c) })
  }

  function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body)
      const req = request(`${base}${path}`, { method, ca, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : null }))
      })
      req.on('error', reject)
      req.end(payload)
    })
  }

  const run = async (id: number): Promise<RunRow> => (await pool.query<RunRow>('SELECT id, status, owner, failures FROM schedule_runs WHERE id = $1', [id])).rows[0]!
  const ownedBy = (c: CollectorProcess, owner: string | null) => owner !== null && owner.includes(`-${c.child.pid}-`)

  it('interrupts the killed collector\'s run once its presence expires, never the live one\'s', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-run-owners-'))
    const shared = join(dir, 'shared')
    const tls = await loadOrCreateTlsIdentity({ dataDir: shared, hostnames: ['127.0.0.1'], now: new Date() })
    loadOrCreateSigningKey(shared)
    ca = tls.certPem
    const keyPath = join(dir, 'id_ed25519')
    const keygen = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath], { encoding: 'utf8' })
    expect(keygen.status, keygen.stderr).toBe(0)
    const configPath = join(dir, 'collector.yaml')
    // Sweep often; an SSH scan of the silent server waits up to 10 minutes for its banner.
    writeFileSync(configPath, 'schedules:\n  pollMs: 250\n  orphanSweepMs: 250\n  ssh:\n    connectTimeoutMs: 600000\nbackup:\n  intervalMs: 0\n')
    const a = await startCollectorProcess('a', configPath)
    const b = await startCollectorProcess('b', configPath)
    const token = (await runPosture(['collector', 'api-token', '--role', 'admin', '--database', database])).stdout.trim()
    expect(token).toMatch(/^pt1/)

    const port = (silent.address() as { port: number }).port
    const node = await api(a.url, token, 'POST', '/api/ssh-nodes', { name: 'silent', address: `probe@127.0.0.1:${port}`, key: keyPath })
    expect(node.status, JSON.stringify(node.json)).toBe(201)
    // Yearly: no slot fires during the test, only the runs asked for.
    const created = await api(a.url, token, 'POST', '/api/schedules', { name: 'audit', cron: '0 0 1 1 *', jitterMs: 0, mode: 'ssh', target: { kind: 'nodes', nodes: ['silent'] }, domains: ['system'] })
    expect(created.status, JSON.stringify(created.json)).toBe(201)

    const runOn = async (c: CollectorProcess) => {
      const started = await api(c.url, token, 'POST', '/api/schedules/audit/run', {})
      expect(started.status, JSON.stringify(started.json)).toBe(202)
      return (started.json as { run: { id: number } }).run.id
    }
    const runA = await runOn(a)
    const runB = await runOn(b)
    // Both scans are connected to the silent server: both runs are in flight.
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(2)
    expect(await run(runA)).toMatchObject({ status: 'running' })
    expect(await run(runB)).toMatchObject({ status: 'running' })
    expect(ownedBy(a, (await run(runA)).owner)).toBe(true)
    expect(ownedBy(b, (await run(runB)).owner)).toBe(true)

    a.child.kill('SIGKILL')
    await once(a.child, 'exit')
    const killedAt = Date.now()
    try {
      await expect.poll(async () => (await run(runA)).status, { timeout: 40_000, interval: 200 }).toBe('interrupted')
    } catch (err) {
      throw new Error(`A's run was not interrupted: ${JSON.stringify(await run(runA))}\n--- b ---\n${b.output().slice(-3000)}`, { cause: err })
    }
    // Not before A's presence expired (the cluster's member TTL, 10 s after its last heartbeat, itself at most 2 s old).
    expect(Date.now() - killedAt).toBeGreaterThan(7_000)
    expect(await run(runB)).toMatchObject({ status: 'running' })

    // A collector starting now leaves B's run in flight alone.
    const c = await startCollectorProcess('c', configPath)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(await run(runB)).toMatchObject({ status: 'running' })
    expect(c.output()).not.toMatch(/marked interrupted/)

    // B's scan fails for real (the server hangs up): its run ends with that outcome, by B.
    for (const socket of held) socket.destroy()
    await expect.poll(async () => (await run(runB)).status, { timeout: 20_000, interval: 200 }).toBe('failed')
    const finished = await run(runB)
    expect(ownedBy(b, finished.owner)).toBe(true)
    expect(JSON.parse(finished.failures)).toEqual([{ target: 'silent', reason: expect.not.stringMatching(/interrupt|stopp/) }])
    expect(b.output()).toMatch(/schedule runs of a collector that is gone marked interrupted/)
  }, 180_000)
})
