import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { migrateSubcommand } from '../../cli/commands/collector-migrate.js'
import type { CliIO } from '../../cli/command.js'
import { verifyAuditChain } from '../../collector/audit/audit-chain.js'
import { toAuditEntry, type AuditDbRow } from '../../collector/audit/audit-row.js'
import { SqliteAuditLog } from '../../collector/audit/sqlite-audit-log.js'
import { createApiToken, createUserWithOneTimePassword } from '../../collector/collector-admin.js'
import { closePgPool, openPgPool, type PgPool } from '../../collector/store/pg/pg-pool.js'
import { SqliteStore } from '../../collector/store/sqlite-store.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'
import { fakeReport } from './collector-fixtures.js'

/**
 * `posture collector migrate --from-sqlite DIR --database URL` on a real SQLite
 * installation (reports with lifecycle history, users, tokens, an audit chain) into a real,
 * empty PostgreSQL database: every row arrives, ids and the audit chain intact.
 */
const hasPg = canRunPostgres()

function io(cwd: string): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (d: Buffer) => (out += d.toString()))
  stderr.on('data', (d: Buffer) => (err += d.toString()))
  return { stdout, stderr, color: false, env: {}, cwd, signal: new AbortController().signal, out: () => out, err: () => err }
}

/** Every row of every table, in a stable order, as plain values (numbers for integers, text as text). */
function sqliteRows(db: Database.Database, table: string): unknown[][] {
  const columns = (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(table) as { name: string }[]).map((c) => c.name)
  const order = columns.map((_, i) => i + 1).join(', ')
  return db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}" ORDER BY ${order}`).raw(true).all() as unknown[][]
}

async function pgRows(pool: PgPool, table: string, columns: string[]): Promise<unknown[][]> {
  const order = columns.map((_, i) => i + 1).join(', ')
  const { rows } = await pool.query({ text: `SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}" ORDER BY ${order}`, rowMode: 'array' })
  return rows as unknown[][]
}

describe.skipIf(!hasPg)('posture collector migrate', () => {
  let server: TestPostgres
  let dir: string
  const pools: PgPool[] = []
  beforeAll(async () => {
    server = await startPostgres()
  }, 120_000)
  afterAll(async () => server?.stop())
  afterEach(async () => {
    for (const p of pools.splice(0)) await closePgPool(p)
    rmSync(dir, { recursive: true, force: true })
  })

  it('copies every table into an empty database, keeps ids and the audit chain, verifies counts; refuses a non-empty target', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-migrate-'))
    const ruleSet = loadRuleSet()
    const store = new SqliteStore(join(dir, 'posture.db'), ruleSet.scoring)
    // History: three nodes, each scanned on three days (a failure that opens, then resolves on one of them).
    const items = []
    for (const [n, hostname] of ['alpha', 'bravo', 'charlie'].entries()) {
      for (let day = 1; day <= 3; day++) {
        const at = new Date(`2026-03-0${day}T10:00:00Z`)
        const report = await fakeReport(ruleSet, { hostname, synchronized: !(n === 0 && day === 2) }, at)
        items.push({ kind: 'scan' as const, agentId: null, seq: day, report, agentRulesVersion: null, scoredWith: 'test', receivedAt: at, labels: {}, agentVersion: '0.1.0' })
      }
    }
    for (const item of items) expect((await store.ingest([item]))[0]!.status).toBe('stored')
    await createApiToken(store, 'auditor', 'auditor token', new Date('2026-03-03T00:00:00Z'))
    await createUserWithOneTimePassword(store, 'alice', 'admin', new Date('2026-03-03T00:00:00Z'))
    const audit = new SqliteAuditLog(store.db, () => new Date('2026-03-03T12:00:00Z'))
    for (let i = 0; i < 5; i++) await audit.append({ actor: 'user:alice', action: 'login', target: null, outcome: i === 3 ? 'failure' : 'success', ip: '127.0.0.1', details: { attempt: i, note: 'ünïcode ✓' } })
    const tables = (store.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name)
    const before = new Map(tables.map((t) => [t, sqliteRows(store.db, t)]))
    store.close()
    expect(before.get('scans')).toHaveLength(9)
    expect(before.get('audit_log')).toHaveLength(5)

    const url = await server.createDatabase()
    const run = io(dir)
    expect(await migrateSubcommand(['--from-sqlite', dir, '--database', url], run)).toBe(0)
    expect(run.out()).toMatch(/^migrated \d+ rows in \d+ tables from .*posture\.db to postgres:\/\/.* row counts verified/m)
    expect(run.err()).toMatch(/copying \d+ rows in \d+ tables/)
    expect(run.err()).toContain('  scans: 9 rows')

    const pool = openPgPool({ url })
    pools.push(pool)
    const db = new Database(join(dir, 'posture.db'), { readonly: true })
    try {
      for (const table of tables) {
        const columns = (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(table) as { name: string }[]).map((c) => c.name)
        expect({ table, rows: await pgRows(pool, table, columns) }).toEqual({ table, rows: before.get(table) })
      }
    } finally {
      db.close()
    }
    // The hash chain verifies on the copied rows.
    const auditRows = await pool.query<AuditDbRow>('SELECT * FROM audit_log ORDER BY seq')
    expect(verifyAuditChain(auditRows.rows.map(toAuditEntry))).toMatchObject({ ok: true })
    // Identity sequences continue after the copied ids.
    const next = await pool.query<{ pk: number }>(
      "INSERT INTO scans (scan_id, node_id, kind, source, posture_version, rules_version, domains, started_at, finished_at, received_at, score_json) SELECT 'new-scan', node_id, 'scan', 's', 'v', 'r', '[]', 'a', 'b', 'c', '{}' FROM scans LIMIT 1 RETURNING pk",
    )
    expect(next.rows[0]!.pk).toBe(10)

    // A second run finds a non-empty target and copies nothing.
    const again = io(dir)
    await expect(migrateSubcommand(['--from-sqlite', dir, '--database', url], again)).rejects.toThrow(/target database is not empty \(.*scans: 10 rows/)
  }, 120_000)

  it('refuses bad input with clear messages', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-migrate-'))
    await expect(migrateSubcommand(['--database', 'postgres://x@127.0.0.1:1/db'], io(dir))).rejects.toThrow(/usage: posture collector migrate --from-sqlite DIR/)
    await expect(migrateSubcommand(['--from-sqlite', dir, '--database', 'mysql://x'], io(dir))).rejects.toThrow(/expected a postgres:\/\//)
    await expect(migrateSubcommand(['--from-sqlite', dir, '--database', 'postgres://x@127.0.0.1:1/db'], io(dir))).rejects.toThrow(/posture\.db does not exist/)
  }, 30_000)
})
