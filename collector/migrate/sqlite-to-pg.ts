import type Database from 'better-sqlite3'
import { PostureError } from '../../rules/posture-error.js'
import type { PgClient, PgPool } from '../store/pg/pg-pool.js'
import { pgMigrationsTable } from '../store/pg/pg-migrations.js'
import { withPgTransaction } from '../store/pg/pg-transaction.js'
import { pgClusterTables } from '../cluster/pg-cluster-schema.js'

/**
 * `posture collector migrate`: copies a collector's SQLite database into an empty
 * PostgreSQL database with the same schema (collector/store/pg/ mirrors every table and
 * column), row for row: ids kept, the audit log's hash chain byte for byte, every scan and
 * lifecycle row. One PostgreSQL transaction: a failed copy leaves the target empty, ready
 * to try again. Triggers that derive rows (the daily score read model) are off during the
 * copy, since their rows are copied too; identity sequences are moved past the copied ids.
 */
export type CopyProgress =
  | { kind: 'plan'; tables: { name: string; rows: number }[] }
  | { kind: 'rows'; table: string; copied: number; total: number }
  | { kind: 'table-done'; table: string; rows: number }
  | { kind: 'verified'; table: string; sqlite: number; postgres: number }

export interface CopyResult {
  tables: { name: string; rows: number }[]
  totalRows: number
}

/** PostgreSQL accepts at most 65,535 parameters per statement. */
const maxParams = 60_000
const maxRowsPerInsert = 1_000

/** Tables with rows in the target (the copy only goes into an empty database). */
export async function nonEmptyTables(pool: PgPool, tables: readonly string[]): Promise<{ name: string; rows: number }[]> {
  const found: { name: string; rows: number }[] = []
  for (const name of tables) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(name)}`)
    const n = Number(rows[0]?.n ?? 0)
    if (n > 0) found.push({ name, rows: n })
  }
  return found
}

export async function copySqliteToPg(db: Database.Database, pool: PgPool, onProgress: (p: CopyProgress) => void = () => {}): Promise<CopyResult> {
  const sqliteTables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name)
  const pgColumns = await pgTableColumns(pool)
  const skipped = new Set<string>([pgMigrationsTable, ...pgClusterTables])

  // Every SQLite column must have a PostgreSQL home, or history would be lost.
  const plan: { name: string; columns: string[]; rows: number }[] = []
  for (const name of sqliteTables) {
    const columns = (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(name) as { name: string }[]).map((c) => c.name)
    const target = pgColumns.get(name)
    if (!target) throw new PostureError('BAD_INPUT', `the PostgreSQL schema has no table ${name}: this Posture's PostgreSQL schema is behind its SQLite schema; nothing was copied`)
    const missing = columns.filter((c) => !target.has(c))
    if (missing.length > 0) throw new PostureError('BAD_INPUT', `the PostgreSQL table ${name} lacks column(s) ${missing.join(', ')}; nothing was copied`)
    const rows = (db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(name)}`).get() as { n: number }).n
    plan.push({ name, columns, rows })
  }
  const targetTables = [...pgColumns.keys()].filter((t) => !skipped.has(t))
  const busy = await nonEmptyTables(pool, targetTables)
  if (busy.length > 0) {
    throw new PostureError('BAD_INPUT', `the target database is not empty (${busy.map((b) => `${b.name}: ${b.rows} rows`).join(', ')}); migrate copies into an empty database only — create a new one (createdb) and point --database at it`)
  }
  const ordered = await foreignKeyOrder(pool, plan.map((p) => p.name))
  const byName = new Map(plan.map((p) => [p.name, p]))
  onProgress({ kind: 'plan', tables: ordered.map((name) => ({ name, rows: byName.get(name)!.rows })) })

  await withPgTransaction(pool, async (client) => {
    for (const name of ordered) {
      const table = byName.get(name)!
      await client.query(`ALTER TABLE ${quoteIdent(name)} DISABLE TRIGGER USER`)
      await copyTable(db, client, table, onProgress)
      await client.query(`ALTER TABLE ${quoteIdent(name)} ENABLE TRIGGER USER`)
      await resetIdentities(client, name)
      onProgress({ kind: 'table-done', table: name, rows: table.rows })
    }
  })

  // Verify: the same number of rows on both sides, table by table.
  let totalRows = 0
  for (const name of ordered) {
    const sqlite = (db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(name)}`).get() as { n: number }).n
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(name)}`)
    const postgres = Number(rows[0]?.n ?? -1)
    onProgress({ kind: 'verified', table: name, sqlite, postgres })
    if (sqlite !== postgres) throw new PostureError('INTERNAL', `verification failed: ${name} has ${sqlite} rows in SQLite and ${postgres} in PostgreSQL`)
    totalRows += postgres
  }
  return { tables: ordered.map((name) => ({ name, rows: byName.get(name)!.rows })), totalRows }
}

async function copyTable(db: Database.Database, client: PgClient, table: { name: string; columns: string[]; rows: number }, onProgress: (p: CopyProgress) => void): Promise<void> {
  const perInsert = Math.max(1, Math.min(maxRowsPerInsert, Math.floor(maxParams / table.columns.length)))
  const columnList = table.columns.map(quoteIdent).join(', ')
  // Ordered by rowid where there is one: audit rows and scans go in as they were written.
  const hasRowid = !(db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table.name) as { sql: string }).sql.includes('WITHOUT ROWID')
  const select = db.prepare(`SELECT ${columnList} FROM ${quoteIdent(table.name)}${hasRowid ? ' ORDER BY rowid' : ''}`).raw(true)
  let batch: unknown[][] = []
  let copied = 0
  const flush = async () => {
    if (batch.length === 0) return
    const params: unknown[] = []
    const tuples = batch.map((row) => `(${row.map((value) => {
      params.push(value)
      return `$${params.length}`
    }).join(', ')})`)
    await client.query(`INSERT INTO ${quoteIdent(table.name)} (${columnList}) VALUES ${tuples.join(', ')}`, params)
    copied += batch.length
    batch = []
    onProgress({ kind: 'rows', table: table.name, copied, total: table.rows })
  }
  // better-sqlite3's iterator only forbids other statements on this connection meanwhile: there are none.
  for (const row of select.iterate() as Iterable<unknown[]>) {
    batch.push(row)
    if (batch.length >= perInsert) await flush()
  }
  await flush()
}

/** Moves each identity / serial sequence past the largest copied id, so new rows get new ids. */
async function resetIdentities(client: PgClient, table: string): Promise<void> {
  const { rows } = await client.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')",
    [table],
  )
  for (const { column_name: column } of rows) {
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST((SELECT max(${quoteIdent(column)}) FROM ${quoteIdent(table)}), 1), (SELECT max(${quoteIdent(column)}) FROM ${quoteIdent(table)}) IS NOT NULL)`,
      [quoteIdent(table), column],
    )
  }
}

async function pgTableColumns(pool: PgPool): Promise<Map<string, Set<string>>> {
  const { rows } = await pool.query<{ table_name: string; column_name: string }>(
    "SELECT c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'",
  )
  const out = new Map<string, Set<string>>()
  for (const r of rows) out.set(r.table_name, (out.get(r.table_name) ?? new Set()).add(r.column_name))
  return out
}

/** Tables ordered so that every table comes after the tables its foreign keys point at. */
async function foreignKeyOrder(pool: PgPool, tables: readonly string[]): Promise<string[]> {
  const { rows } = await pool.query<{ child: string; parent: string }>(
    "SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
  )
  const unquote = (name: string) => name.replace(/^"(.*)"$/, '$1')
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set()]))
  for (const r of rows) {
    const child = unquote(r.child)
    const parent = unquote(r.parent)
    if (child !== parent && parents.has(child) && parents.has(parent)) parents.get(child)!.add(parent)
  }
  const ordered: string[] = []
  const done = new Set<string>()
  const visit = (t: string, path: Set<string>) => {
    if (done.has(t)) return
    if (path.has(t)) throw new PostureError('INTERNAL', `foreign keys form a cycle through ${t}`)
    path.add(t)
    for (const p of [...parents.get(t)!].sort()) visit(p, path)
    path.delete(t)
    done.add(t)
    ordered.push(t)
  }
  for (const t of [...tables].sort()) visit(t, new Set())
  return ordered
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`unexpected table or column name ${JSON.stringify(name)}`)
  return `"${name}"`
}
