import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { migrations } from '../../collector/store/migrations.js'
import { migratePg, pgMigrations, pgSchemaVersion } from '../../collector/store/pg/pg-migrations.js'
import { closePgPool, openPgPool, type PgPool } from '../../collector/store/pg/pg-pool.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'

const hasPg = canRunPostgres()

/** table → sorted column names, and index names, from a SQLite database migrated by collector/store/migrations.ts. */
function sqliteSchema(): { columns: Map<string, string[]>; indexes: string[] } {
  const db = new Database(':memory:')
  try {
    for (const migration of migrations) db.exec(migration.sql)
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]
    const columns = new Map(tables.map(({ name }) => [name, (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as { name: string }[]).map((c) => c.name).sort()]))
    const indexes = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name)
    return { columns, indexes }
  } finally {
    db.close()
  }
}

async function pgColumns(pool: PgPool): Promise<Map<string, string[]>> {
  const { rows } = await pool.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY table_name, column_name",
  )
  const out = new Map<string, string[]>()
  for (const row of rows) out.set(row.table_name, [...(out.get(row.table_name) ?? []), row.column_name])
  return out
}

describe.skipIf(!hasPg)('PostgreSQL migrations', () => {
  let server: TestPostgres
  const pools: PgPool[] = []
  const pool = async () => {
    const p = openPgPool({ url: await server.createDatabase() })
    pools.push(p)
    return p
  }
  beforeAll(async () => {
    server = await startPostgres()
  }, 120_000)
  afterEach(async () => {
    for (const p of pools.splice(0)) await closePgPool(p)
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('mirrors every SQLite migration: same numbers, same tables, same columns', async () => {
    expect(pgMigrations.map((m) => m.version)).toEqual(migrations.map((m) => m.version))
    const p = await pool()
    expect(await migratePg(p)).toEqual({ from: 0, to: migrations.at(-1)!.version })
    const pg = await pgColumns(p)
    const { columns: sqlite, indexes } = sqliteSchema()
    // PostgreSQL-only tables, for what SQLite keeps in the data directory but several collectors must share.
    const pgOnly = ['manual_evidence_files']
    expect([...pg.keys()].filter((t) => !pgOnly.includes(t)).sort()).toEqual([...sqlite.keys()].sort())
    for (const [table, columns] of sqlite) expect({ table, columns: pg.get(table) }).toEqual({ table, columns })
    // Every index by name (PostgreSQL's own primary-key and unique-constraint indexes aside).
    const pgIndexes = await p.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key' ORDER BY indexname",
    )
    expect(pgIndexes.rows.map((r) => r.indexname).sort()).toEqual([...indexes].sort())
  })

  it('applies each migration once when two collectors start at the same time', async () => {
    const url = await server.createDatabase()
    const a = openPgPool({ url })
    const b = openPgPool({ url })
    pools.push(a, b)
    const results = await Promise.all([migratePg(a), migratePg(b)])
    const latest = pgMigrations.at(-1)!.version
    expect(results.map((r) => r.to)).toEqual([latest, latest])
    expect(results.map((r) => r.from).sort()).toEqual([0, latest])
    const { rows } = await a.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
    expect(rows.map((r) => r.version)).toEqual(pgMigrations.map((m) => m.version))
    expect(await migratePg(a)).toEqual({ from: latest, to: latest })
    expect(await pgSchemaVersion(a)).toBe(latest)
  })

  it('applies a migration released after a higher-numbered one (a gap filled later)', async () => {
    const p = await pool()
    const [m1, m2, m3] = pgMigrations
    // 3 (schedules, SSH nodes) does not depend on 2 (sessions, audit, read model): 2 can arrive later.
    await migratePg(p, [m1!, m3!])
    expect(await migratePg(p, [m1!, m2!, m3!])).toEqual({ from: 3, to: 3 })
    const { rows } = await p.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3])
    expect(await migratePg(p)).toEqual({ from: 3, to: pgMigrations.at(-1)!.version })
  })

  it('keeps node_labels in step with nodes.labels', async () => {
    const p = await pool()
    await migratePg(p)
    const labels = async () => (await p.query<{ key: string; value: string }>("SELECT key, value FROM node_labels WHERE node_id = 'n1' ORDER BY key")).rows
    await p.query("INSERT INTO nodes (id, hostname, labels, first_seen, last_seen) VALUES ('n1', 'h', '{\"env\":\"prod\",\"rack\":\"r1\"}', 'x', 'x')")
    expect(await labels()).toEqual([{ key: 'env', value: 'prod' }, { key: 'rack', value: 'r1' }])
    await p.query("UPDATE nodes SET labels = '{\"env\":\"dev\"}' WHERE id = 'n1'")
    expect(await labels()).toEqual([{ key: 'env', value: 'dev' }])
    await p.query("UPDATE nodes SET hostname = 'h2' WHERE id = 'n1'")
    expect(await labels()).toEqual([{ key: 'env', value: 'dev' }])
    await p.query("DELETE FROM nodes WHERE id = 'n1'")
    expect(await labels()).toEqual([])
  })

  it('refuses a database migrated by a newer Posture', async () => {
    const p = await pool()
    expect(await pgSchemaVersion(p)).toBe(0)
    await migratePg(p)
    await p.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')")
    await expect(migratePg(p)).rejects.toMatchObject({ code: 'BAD_CONFIG', message: expect.stringContaining('999 is newer') })
  })

  it('keeps the audit log append-only, even against TRUNCATE', async () => {
    const p = await pool()
    await migratePg(p)
    await p.query("INSERT INTO audit_log (at, actor, action, outcome, details, prev_hash, hash) VALUES ('2026-01-01T00:00:00.000Z', 'a', 'login', 'success', '{}', '0', '1')")
    await expect(p.query("UPDATE audit_log SET actor = 'b'")).rejects.toThrow(/append-only/)
    await expect(p.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/)
    await expect(p.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/)
    const { rows } = await p.query<{ n: number }>('SELECT count(*) AS n FROM audit_log')
    expect(rows[0]!.n).toBe(1)
  })

  it('sorts text byte-wise like SQLite whatever the database locale', async () => {
    const p = await pool()
    await migratePg(p)
    for (const key of ['b', 'B', 'a-1', 'a1', '_x']) await p.query("INSERT INTO settings (key, value) VALUES ($1, '')", [key])
    const { rows } = await p.query<{ key: string }>('SELECT key FROM settings ORDER BY key')
    expect(rows.map((r) => r.key)).toEqual(['B', '_x', 'a-1', 'a1', 'b'])
  })
})
