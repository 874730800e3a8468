import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Agent } from '../../agent/agent-runtime.js'
import type { Host } from '../../agent/host/host.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { SnapshotHost } from '../../agent/host/snapshot-host.js'
import { scanConfigSchema } from '../../agent/scan-config.js'
import { verifySignature } from '../../collector/alerts/alert-payload.js'
import type { Collector } from '../../collector/build-collector.js'
import { resolveCollectorConfig, type CollectorConfigInput } from '../../collector/collector-config.js'
import { buildFullCollector } from '../../collector/full-collector.js'
import { freePort } from '../helpers/sshd.js'
import { apiToken, eventCount, joinAgent, systemSnapshot } from './collector-fixtures.js'
import { hasTool, startHttpsServer, TestPki, type Running } from './tls-servers.js'
import { Receiver } from './webhook-receiver.js'

/**
 * The two alerts whose other tests start half way (alerts.test.ts writes the certificate
 * table, calls onRunFinished), here through their whole real path in the collector users
 * run (buildFullCollector, as `posture collector` starts it):
 * - certificate.expiring: a real TLS server on 127.0.0.1 with a certificate that expires
 *   in 10 days, a real agent scanning it with the tls gatherer and sending its report over
 *   the WebSocket, the collector storing it, and the collector's own sweep timer firing.
 * - schedule.failed: a real SSH schedule run ("run now" through the API) against an SSH
 *   node whose port refuses the connection.
 * Both end at a real webhook receiver on 127.0.0.1:0 that checks signature and payload.
 */
const hasOpenssl = hasTool('openssl')
const hasKeygen = hasTool('ssh-keygen')
for (const [has, tool, what] of [[hasOpenssl, 'openssl', 'certificate.expiring'], [hasKeygen, 'ssh-keygen (openssh-client)', 'schedule.failed']] as const) {
  if (has) continue
  if (process.env.CI) throw new Error(`${tool} is missing in CI`)
  console.warn(`SKIPPING the real-path ${what} alert test: ${tool} is not installed`)
}

let dir: string
let collector: Collector | null
let receiver: Receiver
let hookUrl: string
let agents: Agent[]
let servers: Running[]
let pki: TestPki | null = null

beforeAll(async () => {
  if (hasOpenssl) pki = await TestPki.create()
})
afterAll(() => pki?.close())
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posture-alerts-real-'))
  receiver = new Receiver()
  hookUrl = await receiver.listen()
  collector = null
  agents = []
  servers = []
})
afterEach(async () => {
  for (const a of agents) await a.stop()
  await Promise.all(servers.map((s) => s.close()))
  await collector?.close()
  await receiver.close()
  rmSync(dir, { recursive: true, force: true })
})

async function start(more: CollectorConfigInput = {}): Promise<Collector> {
  const dataDir = join(dir, 'data')
  const config = resolveCollectorConfig({}, { dataDir, listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 }, ...more }, dataDir)
  const started = await buildFullCollector(config, { env: {}, logger: pino({ level: 'silent' }) })
  collector = started
  await started.start()
  return started
}

async function api(c: Collector, token: string, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) {
  const res = await c.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) })
  return { status: res.statusCode, json: res.json() as Record<string, unknown> }
}

async function addHook(c: Collector, token: string, events: string[]): Promise<string> {
  const created = await api(c, token, 'POST', '/api/webhooks', { url: hookUrl, minSeverity: 'info', events })
  expect(created.status, JSON.stringify(created.json)).toBe(201)
  return created.json.secret as string
}

/** The fake node's system files and commands (a known identity), and the real network for probes. */
function nodeWithRealNetwork(hostname: string, caFile: string, caPem: string): Host {
  const snapshot = systemSnapshot({ hostname })
  snapshot.files[caFile] = { content: caPem }
  const files = new SnapshotHost(snapshot, hostname)
  const network = new LocalHost()
  return {
    description: `fake:${hostname}+local network`,
    readFile: (path, options) => files.readFile(path, options),
    listDir: (path) => files.listDir(path),
    run: (argv, options) => files.run(argv, options),
    probe: (key, perform) => network.probe(key, perform),
  }
}

describe.skipIf(!hasOpenssl)('certificate.expiring through a real TLS scan', () => {
  it('an agent scans a TLS server whose certificate expires in 10 days; the sweep alerts it once, signed, with the certificate’s own dates', async () => {
    // The collector's own sweep timer, every 200 ms (no test-driven sweep, real clock).
    const c = await start({ alerts: { sweepMs: 200, delivery: { pollMs: 50, backoffBaseMs: 30, backoffMaxMs: 200 } } })
    const token = await apiToken(c)
    const secret = await addHook(c, token, ['certificate.expiring'])

    const leaf = await pki!.issue({ name: 'shop.test', sans: ['DNS:shop.test', 'IP:127.0.0.1'], to: 10 })
    const server = await startHttpsServer({ key: readFileSync(leaf.key), cert: leaf.chain })
    servers.push(server)
    const caFile = join(pki!.dir, 'root.pem')
    const target = `127.0.0.1:${server.port}`
    const scanConfig = scanConfigSchema.parse({ tls: { discover: false, targets: [{ host: '127.0.0.1', port: server.port, servername: 'shop.test', httpPort: null }], caFiles: [caFile], timeoutMs: 3000 } })

    const stateDir = join(dir, 'agent')
    const state = await joinAgent(c, stateDir)
    const agent = new Agent({ stateDir, state, host: nodeWithRealNetwork('shop-1', caFile, pki!.root.cert), domains: ['system', 'tls'], scanConfig, intervalMs: 3_600_000, log: pino({ level: 'silent' }), backoff: { baseMs: 20, maxMs: 200 }, scanOnStart: true })
    agents.push(agent)
    const acked = eventCount(agent, 'acked', 1)
    agent.start()
    const [ack] = (await acked) as { scanId: string }[]

    // The stored report holds the real handshake's certificate.
    const [node] = await c.store.listNodes()
    const stored = await c.store.latestReport(node!.id)
    expect(stored!.scanId).toBe(ack!.scanId)
    const notAfter = new Date(new X509Certificate(leaf.cert).validTo).toISOString()
    expect(stored!.facts.tls!.endpoints!.map((e) => [e.target, e.certificate?.notAfter, e.certificate?.trusted])).toEqual([[target, notAfter, true]])

    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1)
    const [message] = receiver.messages()
    expect(message).toMatchObject({ schema: 'posture.alert/v1', kind: 'sweep', node: { id: node!.id, hostname: 'shop-1' } })
    expect(message!.events).toEqual([
      {
        type: 'certificate.expiring',
        severity: 'high',
        node: { id: node!.id, hostname: 'shop-1' },
        subject: target,
        // Issued for 10 days from a moment ago: 9 whole days left.
        summary: `the certificate of ${target} on shop-1 expires in 9 days (${notAfter})`,
        details: { target, subject: 'CN=shop.test', notAfter, daysRemaining: 9 },
      },
    ])
    expect(verifySignature(receiver.received[0]!.body, secret, receiver.received[0]!.headers['x-posture-signature'] as string)).toBe(true)

    // The sweep keeps running (every 200 ms) and the agent scans again: the same certificate is not told twice.
    const again = eventCount(agent, 'acked', 1)
    void agent.scanNow()
    await again
    await new Promise((r) => setTimeout(r, 600))
    expect(receiver.received).toHaveLength(1)
  }, 60_000)
})

describe.skipIf(!hasKeygen)('schedule.failed through a real scheduled run', () => {
  it('an SSH schedule run against a node that refuses the connection fails, and the alert arrives once', async () => {
    const c = await start({ schedules: { pollMs: 200, ssh: { connectTimeoutMs: 3000 } }, alerts: { delivery: { pollMs: 50, backoffBaseMs: 30, backoffMaxMs: 200 } } })
    const token = await apiToken(c)
    const secret = await addHook(c, token, ['schedule.failed'])

    const keyPath = join(dir, 'id_ed25519')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'posture-test', '-f', keyPath], { stdio: 'ignore' })
    // A port nothing listens on: connect() is refused.
    const port = await freePort()
    expect((await api(c, token, 'POST', '/api/ssh-nodes', { name: 'legacy-1', address: `audit@127.0.0.1:${port}`, key: keyPath })).status).toBe(201)
    const created = await api(c, token, 'POST', '/api/schedules', { name: 'nightly-legacy', cron: '0 3 * * *', mode: 'ssh', target: { kind: 'nodes', nodes: ['legacy-1'] }, domains: ['system'] })
    expect(created.status, JSON.stringify(created.json)).toBe(201)

    const runNow = await api(c, token, 'POST', '/api/schedules/nightly-legacy/run')
    expect(runNow.status).toBe(202)
    const runId = (runNow.json.run as { id: number }).id

    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(1)
    const [message] = receiver.messages()
    const runs = (await api(c, token, 'GET', '/api/schedules/nightly-legacy/runs')).json.runs as { id: number; scheduleId: number; status: string; failures: { target: string; reason: string }[] }[]
    const run = runs.find((r) => r.id === runId)!
    expect(run).toMatchObject({ status: 'failed', failures: [{ target: 'legacy-1', reason: `ssh audit@127.0.0.1:${port}: connection refused (is sshd listening on that port?)` }] })
    expect(message).toMatchObject({ schema: 'posture.alert/v1', kind: 'schedule', node: null, scanId: null })
    expect(message!.events).toEqual([
      {
        type: 'schedule.failed',
        severity: 'high',
        node: null,
        subject: `schedule:${run.scheduleId}`,
        summary: `scheduled run ${runId} failed: 1 of 1 node(s) not scanned (legacy-1: ${run.failures[0]!.reason})`,
        details: { scheduleId: run.scheduleId, runId, status: 'failed', trigger: 'manual', slot: null, targeted: 1, scanned: 0, failures: run.failures },
      },
    ])
    expect(verifySignature(receiver.received[0]!.body, secret, receiver.received[0]!.headers['x-posture-signature'] as string)).toBe(true)

    // A second failed run is a second alert (each run once).
    const second = await api(c, token, 'POST', '/api/schedules/nightly-legacy/run')
    expect(second.status).toBe(202)
    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(2)
    expect(receiver.messages()[1]!.events[0]!.details).toMatchObject({ runId: (second.json.run as { id: number }).id, status: 'failed' })
    await new Promise((r) => setTimeout(r, 300))
    expect(receiver.received).toHaveLength(2)
  }, 60_000)
})
