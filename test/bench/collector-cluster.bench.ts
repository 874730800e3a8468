import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { WebSocket } from 'ws'
import { issueToken } from '../../collector/auth/secret-token.js'
import { loadOrCreateTlsIdentity } from '../../collector/certificate/self-signed-cert.js'
import { loadOrCreateSigningKey, signingKeyPath } from '../../collector/evidence/signing-key.js'
import { migratePg } from '../../collector/store/pg/pg-migrations.js'
import { closePgPool, openPgPool } from '../../collector/store/pg/pg-pool.js'
import { SqliteStore } from '../../collector/store/sqlite-store.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { postgresBinDir, startPostgres, type TestPostgres } from '../helpers/postgres.js'
import { connect, templateReport, waitForAck } from './collector-ingest.bench.js'
import { rssOf } from './proc-stats.js'

/**
 * Ingest beside the store (issue 14): the same simulated agents (real TLS WebSockets, ~60
 * findings a report, acked after commit) against `posture collector` processes on one
 * machine, in one run: one collector on SQLite, one on PostgreSQL, two on one PostgreSQL
 * (the agents split between them). Durability alike: SQLite synchronous=FULL, PostgreSQL
 * fsync and synchronous_commit on. The PostgreSQL server runs on this machine too, so
 * collectors and database share its cores. POSTURE_BENCH_CLUSTER_AGENTS /
 * POSTURE_BENCH_CLUSTER_REPORTS scale it.
 */
const agentsWanted = Number(process.env.POSTURE_BENCH_CLUSTER_AGENTS ?? 300)
const reportsPerAgent = Number(process.env.POSTURE_BENCH_CLUSTER_REPORTS ?? 4)
const findingsPerReport = 60
const cli = resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'cli', 'posture.js')

interface Measured {
  reportsPerSecond: number
  p50: number
  p99: number
  rssMb: number[]
}

export async function run(): Promise<void> {
  if (postgresBinDir() === null) {
    console.log('bench: collector-cluster skipped (no PostgreSQL server binaries under /usr/lib/postgresql)')
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'posture-bench-cluster-'))
  let pg: TestPostgres | undefined
  try {
    const ruleSet = loadRuleSet()
    const template = JSON.stringify(await templateReport(ruleSet))
    const tls = await loadOrCreateTlsIdentity({ dataDir: join(dir, 'shared'), hostnames: ['127.0.0.1'], now: new Date() })
    loadOrCreateSigningKey(join(dir, 'shared'))
    const config = join(dir, 'collector.yaml')
    writeFileSync(config, 'log: { level: warn }\nagents: { messageBurst: 1000, messagesPerSecond: 1000 }\nbackup: { intervalMs: 0 }\n')
    pg = await startPostgres({ durable: true })
    const common = { dir, tlsDir: join(dir, 'shared'), fingerprint: tls.fingerprint, config, template }

    const sqlite = await measure({ ...common, name: 'sqlite-1', collectors: 1, database: null, ruleSet })
    const pg1 = await measure({ ...common, name: 'pg-1', collectors: 1, database: await pg.createDatabase(), ruleSet })
    const pg2 = await measure({ ...common, name: 'pg-2', collectors: 2, database: await pg.createDatabase(), ruleSet })

    const line = (name: string, m: Measured, peer: [string, Measured] | null) =>
      console.log(`bench: collector-cluster-ingest-${name} ${m.reportsPerSecond.toFixed(0)} reports/s${peer ? ` (ratio ${(m.reportsPerSecond / peer[1].reportsPerSecond).toFixed(2)} vs ${peer[0]})` : ''}`)
    console.log(`bench: collector-cluster-agents ${agentsWanted} agents × ${reportsPerAgent} reports (${findingsPerReport} findings each)`)
    line('sqlite-1', sqlite, null)
    line('pg-1', pg1, ['sqlite-1', sqlite])
    line('pg-2', pg2, ['pg-1', pg1])
    line('pg-2-vs-sqlite', pg2, ['sqlite-1', sqlite])
    for (const [name, m] of [['sqlite-1', sqlite], ['pg-1', pg1], ['pg-2', pg2]] as const) {
      console.log(`bench: collector-cluster-${name}-findings ${(m.reportsPerSecond * findingsPerReport).toFixed(0)} findings/s`)
      console.log(`bench: collector-cluster-${name}-ack-p50 ${m.p50.toFixed(1)} ms`)
      console.log(`bench: collector-cluster-${name}-ack-p99 ${m.p99.toFixed(1)} ms`)
      console.log(`bench: collector-cluster-${name}-rss ${m.rssMb.map((r) => r.toFixed(0)).join(' + ')} MB`)
    }
  } finally {
    await pg?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function measure(options: { name: string; collectors: number; database: string | null; dir: string; tlsDir: string; fingerprint: string; config: string; template: string; ruleSet: ReturnType<typeof loadRuleSet> }): Promise<Measured> {
  const base = join(options.dir, options.name)
  const children: ChildProcess[] = []
  const sockets: WebSocket[] = []
  try {
    const credentials = await enrollDirectly(base, options.database, agentsWanted, options.ruleSet)
    const urls: string[] = []
    for (let i = 0; i < options.collectors; i++) {
      const started = await startCollector(join(base, `collector-${i}`), options.database ?? null, options.tlsDir, options.config, options.database === null ? join(base, 'data') : null)
      children.push(started.child)
      urls.push(started.url)
    }
    for (let i = 0; i < credentials.length; i += 100) {
      const batch = await Promise.all(credentials.slice(i, i + 100).map((c, j) => connect(urls[(i + j) % urls.length]!, options.fingerprint, c)))
      sockets.push(...batch)
    }
    const latencies: number[] = []
    const started = performance.now()
    await Promise.all(
      sockets.map(async (ws, a) => {
        for (let r = 0; r < reportsPerAgent; r++) {
          const scanId = `bench-${options.name}-${a}-${r}`
          const frame = options.template.replace('"__SCAN_ID__"', JSON.stringify(scanId)).replaceAll('__NODE__', String(a).padStart(6, '0'))
          const sentAt = performance.now()
          const acked = waitForAck(ws, scanId)
          ws.send(frame)
          await acked
          latencies.push(performance.now() - sentAt)
        }
      }),
    )
    const seconds = (performance.now() - started) / 1000
    latencies.sort((x, y) => x - y)
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0
    return { reportsPerSecond: (sockets.length * reportsPerAgent) / seconds, p50: pct(50), p99: pct(99), rssMb: children.map((c) => rssOf(c.pid!) / 1024 / 1024) }
  } finally {
    for (const ws of sockets) ws.terminate()
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
    }
  }
}

/** Agent credentials written straight into the database (enrolling over HTTP is not what is measured). */
async function enrollDirectly(base: string, database: string | null, count: number, ruleSet: ReturnType<typeof loadRuleSet>): Promise<string[]> {
  const rows = Array.from({ length: count }, (_, i) => ({ token: issueToken('pa1'), hostname: `bench-${i}` }))
  const enrolledAt = new Date().toISOString()
  if (database === null) {
    mkdirSync(join(base, 'data'), { recursive: true, mode: 0o700 })
    const store = new SqliteStore(join(base, 'data', 'posture.db'), ruleSet.scoring)
    const insert = store.db.prepare("INSERT INTO agents (id, secret_hash, labels, hostname, agent_version, enrolled_at) VALUES (?, ?, '{}', ?, '0.1.0', ?)")
    store.db.transaction(() => {
      for (const r of rows) insert.run(r.token.id, r.token.secretHash, r.hostname, enrolledAt)
    })()
    store.close()
  } else {
    const pool = openPgPool({ url: database })
    try {
      await migratePg(pool)
      await pool.query(
        "INSERT INTO agents (id, secret_hash, labels, hostname, agent_version, enrolled_at) SELECT id, secret_hash, '{}', hostname, '0.1.0', $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, secret_hash, hostname)",
        [rows.map((r) => r.token.id), rows.map((r) => r.token.secretHash), rows.map((r) => r.hostname), enrolledAt],
      )
    } finally {
      await closePgPool(pool)
    }
  }
  return rows.map((r) => r.token.token)
}

async function startCollector(dataDir: string, database: string | null, tlsDir: string, config: string, sqliteData: string | null): Promise<{ child: ChildProcess; url: string }> {
  const nodeArgs = (process.env.POSTURE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
  // Collectors on one PostgreSQL share the signing key as well as the certificate, or refuse to start.
  const data = sqliteData ?? dataDir
  mkdirSync(data, { recursive: true, mode: 0o700 })
  if (!existsSync(signingKeyPath(data))) copyFileSync(signingKeyPath(tlsDir), signingKeyPath(data))
  const args = [
    cli, 'collector', '--data', sqliteData ?? dataDir, '--listen', '127.0.0.1:0', '--config', config,
    '--tls-cert', join(tlsDir, 'tls', 'cert.pem'), '--tls-key', join(tlsDir, 'tls', 'key.pem'),
    ...(database ? ['--database', database] : []),
  ]
  const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  for (;;) {
    const match = /listening on (https:\/\/\S+)/.exec(err)
    if (match) return { child, url: match[1]! }
    if (child.exitCode !== null) throw new Error(`collector exited ${child.exitCode}: ${err}`)
    const [chunk] = (await Promise.race([once(child.stderr!, 'data'), once(child, 'exit')])) as [Buffer | number]
    if (Buffer.isBuffer(chunk)) err += chunk.toString()
  }
}
