import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { WebSocket } from 'ws'
import { openAgentStream } from '../../agent/agent-transport.js'
import { cpuSecondsOf, rssOf } from './proc-stats.js'
import { SnapshotHost } from '../../agent/host/snapshot-host.js'
import { defaultScanConfig } from '../../agent/scan-config.js'
import { buildReport, gatherFacts } from '../../agent/scan.js'
import { snapshotSchemaId } from '../../agent/snapshot.js'
import { issueToken } from '../../collector/auth/secret-token.js'
import { settingKeys } from '../../collector/collector-admin.js'
import { openDatabase } from '../../collector/store/sqlite-open.js'
import { SqliteStore } from '../../collector/store/sqlite-store.js'
import type { Finding } from '../../rules/finding.js'
import type { IngestItem } from '../../collector/store/store.js'
import { reportFromMessage } from '../../collector/ingest/prepare-report.js'
import type { ReportMessage } from '../../agent/wire/messages.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { scoreNode } from '../../rules/scoring.js'

/**
 * Collector ingest (DESIGN.md, "Performance targets"): thousands of simulated agents hold
 * real TLS WebSocket connections to a real collector process and send reports of ~60
 * findings each; reports/s and findings/s persisted (acked after commit), beside the raw
 * better-sqlite3 insert rate of the same rows (the ceiling), ack latency, collector RSS.
 * POSTURE_BENCH_AGENTS / POSTURE_BENCH_REPORTS scale it.
 */
const agentsWanted = Number(process.env.POSTURE_BENCH_AGENTS ?? 5000)
const reportsPerAgent = Math.max(2, Number(process.env.POSTURE_BENCH_REPORTS ?? 3))
const findingsPerReport = 60
const cli = resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'cli', 'posture.js')

export async function run(): Promise<void> {
  // The core (no dashboard, alerts or schedule plugins), then the collector as `posture collector` runs it.
  await runVariant('core', agentsWanted)
  await runVariant('cli', Number(process.env.POSTURE_BENCH_CLI_AGENTS ?? 1000))
}

async function runVariant(variant: 'core' | 'cli', agentsWanted: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'posture-bench-ingest-'))
  let collector: ChildProcess | undefined
  const sockets: WebSocket[] = []
  try {
    const ruleSet = loadRuleSet()
    const template = await templateReport(ruleSet)
    const data = join(dir, 'data')
    const credentials = enrollDirectly(data, agentsWanted, ruleSet.scoring)

    // The collector in its own process, so its RSS and CPU are its own.
    const started = await startCollectorProcess(data, variant)
    collector = started.child
    const { url, fingerprint } = started

    // Phase 1: connections.
    const connectStart = performance.now()
    let failed = 0
    for (let i = 0; i < credentials.length; i += 100) {
      const batch = await Promise.allSettled(credentials.slice(i, i + 100).map((c) => connect(url, fingerprint, c)))
      for (const r of batch) if (r.status === 'fulfilled') sockets.push(r.value)
      else failed++
    }
    const connectSeconds = (performance.now() - connectStart) / 1000
    console.log(`bench: collector-${variant}-connections-held ${sockets.length} connections (of ${agentsWanted}; ${failed} failed; fd limit from ulimit -n applies)`)
    console.log(`bench: collector-${variant}-connect-rate ${(sockets.length / connectSeconds).toFixed(0)} connections/s`)

    // Phase 2: every connected agent sends its first report (its node's first: every finding
    // creates a lifecycle row), then its further reports (a steady fleet: findings mostly as
    // before). Latency is send → ack; reports are acked only after their batch commits.
    const text = JSON.stringify(template)
    console.log(`bench: collector-report-size ${text.length} bytes (${findingsPerReport} findings)`)
    const frame = (a: number, r: number) =>
      // Each simulated agent is its own node (its own id and hostname), as in a real fleet.
      text.replace('"__SCAN_ID__"', JSON.stringify(`bench-${a}-${r}`)).replaceAll('__NODE__', String(a).padStart(6, '0'))
    const sendReports = async (from: number, to: number) => {
      // Frames are made before the clock starts: the load generator shares the collector's
      // two cores, and what it spends making frames is not the collector's ingest.
      const frames = sockets.map((_, a) => Array.from({ length: to - from }, (_, i) => Buffer.from(frame(a, from + i))))
      const latencies: number[] = []
      const cpuBefore = cpuSecondsOf(collector!.pid!)
      const clientBefore = process.cpuUsage()
      const started = performance.now()
      await Promise.all(
        sockets.map(async (ws, a) => {
          for (let r = from; r < to; r++) {
            const sentAt = performance.now()
            const acked = waitForAck(ws, `bench-${a}-${r}`)
            ws.send(frames[a]![r - from]!, { binary: false })
            await acked
            latencies.push(performance.now() - sentAt)
          }
        }),
      )
      const cpuMsPerReport = ((cpuSecondsOf(collector!.pid!) - cpuBefore) * 1000) / latencies.length
      const client = process.cpuUsage(clientBefore)
      const clientMsPerReport = (client.user + client.system) / 1000 / latencies.length
      return { perSecond: latencies.length / ((performance.now() - started) / 1000), latencies: latencies.sort((x, y) => x - y), cpuMsPerReport, clientMsPerReport }
    }
    const first = await sendReports(0, 1)
    const steady = await sendReports(1, reportsPerAgent)
    const rss = rssOf(collector.pid!)

    // The ceiling: the same scan and finding rows straight into a fresh database with the same schema and pragmas.
    const ceiling = rawInsertRate(join(dir, 'raw.db'), template, sockets.length * reportsPerAgent)
    const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
    const ratio = (rate: number) => `ratio ${(rate / ceiling).toFixed(2)} vs raw better-sqlite3 inserts`
    console.log(`bench: collector-${variant}-ingest ${steady.perSecond.toFixed(0)} reports/s (${ratio(steady.perSecond)}; repeat reports of known nodes, over TLS WebSockets)`)
    console.log(`bench: collector-${variant}-ingest-findings ${(steady.perSecond * findingsPerReport).toFixed(0)} findings/s`)
    console.log(`bench: collector-${variant}-ingest-first ${first.perSecond.toFixed(0)} reports/s (${ratio(first.perSecond)}; each node's first report, ${findingsPerReport} lifecycle rows created)`)
    // CPU time per report tells the collector's cost apart from the load generator's share of the cores.
    const rawMsPerReport = 1000 / ceiling
    console.log(`bench: collector-${variant}-cpu-per-report ${steady.cpuMsPerReport.toFixed(2)} ms (ratio ${(rawMsPerReport / steady.cpuMsPerReport).toFixed(2)} vs raw inserts' ${rawMsPerReport.toFixed(2)} ms; repeat reports; first reports ${first.cpuMsPerReport.toFixed(2)} ms; the simulated agents spent ${steady.clientMsPerReport.toFixed(2)} ms)`)
    console.log(`bench: raw-sqlite-insert ${ceiling.toFixed(0)} reports/s (${(ceiling * findingsPerReport).toFixed(0)} findings/s; same scan and finding rows, same schema, WAL, synchronous=FULL, 256 reports per transaction)`)
    console.log(`bench: collector-${variant}-ack-latency-p50 ${pct(steady.latencies, 50).toFixed(1)} ms (repeat reports; first reports ${pct(first.latencies, 50).toFixed(1)} ms)`)
    console.log(`bench: collector-${variant}-ack-latency-p99 ${pct(steady.latencies, 99).toFixed(1)} ms (repeat reports; first reports ${pct(first.latencies, 99).toFixed(1)} ms)`)
    console.log(`bench: collector-${variant}-rss ${(rss / 1024 / 1024).toFixed(0)} MB (with ${sockets.length} agents connected)`)
    if (variant === 'core') await storeOnly(dir, template, ruleSet.scoring, Math.min(sockets.length, 2000), ceiling)
  } finally {
    for (const ws of sockets) ws.terminate()
    if (collector && collector.exitCode === null) {
      collector.kill('SIGTERM')
      await once(collector, 'exit')
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The persist step alone, in this process: decoded reports of `nodes` nodes through the
 * collector's Store.ingest in group commits of 256 (node, scan, findings, lifecycle,
 * score), first reports then repeats, beside the raw inserts of the same scan and finding
 * rows measured above. What the collector spends around it (TLS, WebSocket frames, JSON,
 * schema checks, scoring) is the gap between this and the end-to-end lines.
 */
async function storeOnly(dir: string, template: Awaited<ReturnType<typeof templateReport>>, policy: ReturnType<typeof loadRuleSet>['scoring'], nodes: number, ceiling: number): Promise<void> {
  const store = new SqliteStore(join(dir, 'store-only.db'), policy)
  const text = JSON.stringify(template)
  const items = (round: number): IngestItem[] =>
    Array.from({ length: nodes }, (_, a) => {
      const message = JSON.parse(text.replace('"__SCAN_ID__"', JSON.stringify(`store-${a}-${round}`)).replaceAll('__NODE__', String(a).padStart(6, '0'))) as ReportMessage
      return { kind: 'scan', agentId: null, seq: round, report: reportFromMessage(message), agentRulesVersion: null, scoredWith: 'bench', receivedAt: new Date(), labels: {}, agentVersion: '0.1.0' }
    })
  const rate = async (round: number) => {
    const batch = items(round)
    const started = performance.now()
    for (let i = 0; i < batch.length; i += 256) await store.ingest(batch.slice(i, i + 256))
    return nodes / ((performance.now() - started) / 1000)
  }
  try {
    const first = await rate(0)
    const repeat = await rate(1)
    console.log(`bench: collector-store-ingest ${repeat.toFixed(0)} reports/s (ratio ${(repeat / ceiling).toFixed(2)} vs raw better-sqlite3 inserts; Store.ingest alone, repeat reports of ${nodes} nodes)`)
    console.log(`bench: collector-store-ingest-first ${first.toFixed(0)} reports/s (ratio ${(first / ceiling).toFixed(2)} vs raw better-sqlite3 inserts; Store.ingest alone, first reports: ${findingsPerReport} lifecycle rows each)`)
  } finally {
    store.close()
  }
}

/** A report like an agent's: the real system findings plus synthetic ones up to 60, with evidence. */
export async function templateReport(ruleSet: ReturnType<typeof loadRuleSet>) {
  const at = new Date('2026-03-02T10:00:00Z')
  const host = new SnapshotHost(
    {
      schema: snapshotSchemaId, postureVersion: '0.1.0', host: { description: 'bench' }, gatheredAt: at.toISOString(), domains: ['system'], dirs: {}, probes: {},
      files: { '/proc/sys/kernel/hostname': { content: 'bench-node\n' }, '/etc/machine-id': { content: 'b'.repeat(32) + '\n' } },
      commands: { 'timedatectl show': { stdout: 'NTP=yes\nNTPSynchronized=no\n', stderr: '', exitCode: 0 } },
    },
    'bench',
  )
  const gathered = await gatherFacts(host, ['system'], defaultScanConfig, at)
  const report = buildReport(gathered, { ruleSet, domains: ['system'], now: at, scanId: '__SCAN_ID__', source: 'bench', startedAt: at, finishedAt: at })
  const findings: Finding[] = [...report.findings]
  const severities = ['critical', 'high', 'medium', 'low', 'info'] as const
  for (let i = findings.length; i < findingsPerReport; i++) {
    const fail = i % 7 === 0
    findings.push({
      rule: `bench.synthetic-${i}`, domain: 'system', severity: severities[i % 5]!, status: fail ? 'fail' : 'pass', target: i % 3 === 0 ? `10.0.0.${i}:443` : '',
      title: `Synthetic check ${i}`, message: fail ? `value ${i} is above the limit` : '', evidence: { observed: i, limit: 50, source: '/etc/bench.conf' },
      remediation: 'Set the value to 50 or less in /etc/bench.conf and reload the service.', controls: { soc2: ['CC6.1'], 'cis-v8': ['4.1'] },
    })
  }
  const { schema: _schema, ...fields } = report
  const node = { ...fields.node, id: 'node-__NODE__', hostname: 'bench-__NODE__' }
  return { v: 1, type: 'report', seq: 0, ...fields, node, findings, score: scoreNode(findings, ruleSet.scoring) }
}

/** Agent credentials written straight into the database (enrolling 5,000 over HTTP is not what is measured). */
function enrollDirectly(data: string, count: number, policy: ReturnType<typeof loadRuleSet>['scoring']): string[] {
  mkdirSync(data, { recursive: true, mode: 0o700 })
  const store = new SqliteStore(join(data, 'posture.db'), policy)
  const insert = store.db.prepare("INSERT INTO agents (id, secret_hash, labels, hostname, agent_version, enrolled_at) VALUES (?, ?, '{}', ?, '0.1.0', ?)")
  const credentials: string[] = []
  store.db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const t = issueToken('pa1')
      insert.run(t.id, t.secretHash, `bench-${i}`, new Date().toISOString())
      credentials.push(t.token)
    }
  })()
  store.close()
  return credentials
}

async function startCollectorProcess(data: string, variant: 'core' | 'cli'): Promise<{ child: ChildProcess; url: string; fingerprint: string }> {
  const config = join(data, '..', 'collector.yaml')
  // Generous per-connection limits: the bench sends fast on purpose; heartbeats stay default.
  writeFileSync(config, 'log: { level: warn }\nagents: { messageBurst: 1000, messagesPerSecond: 1000 }\nbackup: { intervalMs: 0 }\n')
  const nodeArgs = (process.env.POSTURE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const args = variant === 'core' ? [join(fileURLToPath(import.meta.url), '..', 'collector-bench-server.js'), data] : [cli, 'collector', '--data', data, '--listen', '127.0.0.1:0', '--config', config]
  const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  for (;;) {
    const match = /listening on (https:\/\/\S+)/.exec(err)
    if (match) break
    if (child.exitCode !== null) throw new Error(`collector exited ${child.exitCode}: ${err}`)
    const [chunk] = (await Promise.race([once(child.stderr!, 'data'), once(child, 'exit')])) as [Buffer | number]
    if (Buffer.isBuffer(chunk)) err += chunk.toString()
  }
  const store = openDatabase(join(data, 'posture.db'))
  const setting = store.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
  const url = setting.get(settingKeys.url)!.value
  const fingerprint = setting.get(settingKeys.fingerprint)!.value
  store.close()
  return { child, url, fingerprint }
}

export async function connect(url: string, fingerprint: string, credential: string): Promise<WebSocket> {
  const ws = await openAgentStream(url, fingerprint, credential, 16 * 1024 * 1024)
  await once(ws, 'open')
  ws.setMaxListeners(0)
  return ws
}

export function waitForAck(ws: WebSocket, scanId: string): Promise<void> {
  return new Promise((done, fail) => {
    const onMessage = (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { type: string; scanId?: string; message?: string }
      if (m.type === 'ack' && m.scanId === scanId) {
        ws.off('message', onMessage)
        done()
      } else if (m.type === 'error') fail(new Error(m.message))
    }
    ws.on('message', onMessage)
  })
}

/** The same scan and finding rows, plain prepared inserts in batches: what SQLite alone can do here. */
function rawInsertRate(path: string, template: Awaited<ReturnType<typeof templateReport>>, reports: number): number {
  const db = openDatabase(path)
  db.prepare("INSERT INTO nodes (id, hostname, first_seen, last_seen) VALUES ('n', 'n', '', '')").run()
  const scan = db.prepare(`INSERT INTO scans (scan_id, node_id, kind, seq, source, posture_version, rules_version, domains, started_at, finished_at, received_at, score, grade, coverage, score_json, facts, fact_errors)
    VALUES (?, 'n', 'scan', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const finding = db.prepare('INSERT INTO findings (scan_pk, rule, target, domain, severity, status, message, evidence, waiver) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const t = template
      const pk = Number(scan.run(`raw-${i}`, t.source, t.postureVersion, t.rulesVersion, JSON.stringify(t.domains), t.startedAt, t.finishedAt, new Date().toISOString(), t.score.score, t.score.grade, t.score.coverage, JSON.stringify(t.score), JSON.stringify(t.facts), JSON.stringify(t.factErrors)).lastInsertRowid)
      for (const f of t.findings) finding.run(pk, f.rule, f.target, f.domain, f.severity, f.status, f.message, JSON.stringify(f.evidence), null)
    }
  })
  const start = performance.now()
  for (let i = 0; i < reports; i += 256) batch(i, Math.min(reports, i + 256))
  const seconds = (performance.now() - start) / 1000
  db.close()
  return reports / seconds
}
