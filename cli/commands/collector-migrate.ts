import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { CliIO } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'
import { copySqliteToPg, type CopyProgress } from '../../collector/migrate/sqlite-to-pg.js'
import { lockDataDir } from '../../collector/store/data-dir-lock.js'
import { sqliteDatabasePath } from '../../collector/store/open-store.js'
import { migratePg } from '../../collector/store/pg/pg-migrations.js'
import { checkPgConnection, closePgPool, isPostgresUrl, openPgPool, redactPgUrl } from '../../collector/store/pg/pg-pool.js'
import { openDatabase } from '../../collector/store/sqlite-open.js'
import { PostureError } from '../../rules/posture-error.js'

const help = `Usage: posture collector migrate --from-sqlite DIR --database postgres://USER@HOST:PORT/DB

Copies a collector's SQLite installation (DIR/posture.db) into an empty PostgreSQL
database: every table, ids kept, the hash-chained audit log intact, all history. The
collector using DIR must be stopped (its data directory lock is taken). The target gets
the PostgreSQL schema first; a target that already holds rows is refused. Row counts are
compared table by table at the end. One transaction: a failed copy leaves the target empty.

Afterwards start each collector with --database URL and its own --data directory; give
them the same TLS certificate (--tls-cert/--tls-key, or copy DIR/tls/) so that agents'
pinned fingerprint still matches, and copy DIR/evidence-signing-key.pem so that exports
keep their signing key.

Options:
  --from-sqlite DIR   the SQLite collector's data directory
  --database URL      the target PostgreSQL database (password: PGPASSWORD or ~/.pgpass)
  -h, --help          show this help`

export async function migrateSubcommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('collector migrate', args, { 'from-sqlite': { type: 'string' }, database: { type: 'string' } })
  if (values.help) {
    io.stdout.write(help + '\n')
    return 0
  }
  if (values['from-sqlite'] === undefined || values.database === undefined) throw new PostureError('BAD_USAGE', 'usage: posture collector migrate --from-sqlite DIR --database postgres://… (see --help)')
  if (!isPostgresUrl(values.database)) throw new PostureError('BAD_USAGE', '--database: expected a postgres:// or postgresql:// URL')
  const dir = resolve(io.cwd, values['from-sqlite'])
  const path = sqliteDatabasePath(dir)
  if (!existsSync(path)) throw new PostureError('BAD_USAGE', `--from-sqlite: ${path} does not exist (give the collector's --data directory)`)
  const target = redactPgUrl(values.database)

  const lock = lockDataDir(dir)
  const db = openDatabase(path)
  const pool = openPgPool({ url: values.database, applicationName: 'posture-migrate', statementTimeoutMs: 0 })
  try {
    await checkPgConnection(pool, values.database)
    const schema = await migratePg(pool)
    io.stderr.write(`PostgreSQL schema at version ${schema.to} (${target})\n`)
    const started = Date.now()
    const result = await copySqliteToPg(db, pool, progressPrinter(io))
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    io.stdout.write(`migrated ${result.totalRows} rows in ${result.tables.length} tables from ${path} to ${target} in ${seconds} s; row counts verified\n`)
    io.stdout.write(`next: posture collector --database '<URL>' --data NEW_DIR (same TLS certificate and ${dir}/evidence-signing-key.pem on every collector)\n`)
    return 0
  } finally {
    await closePgPool(pool)
    db.close()
    lock.release()
  }
}

/** One line per table, and a line per tenth of a large table. */
function progressPrinter(io: CliIO): (p: CopyProgress) => void {
  const printed = new Map<string, number>()
  const handlers: { [K in CopyProgress['kind']]: (p: Extract<CopyProgress, { kind: K }>) => void } = {
    plan: (p) => io.stderr.write(`copying ${p.tables.reduce((n, t) => n + t.rows, 0)} rows in ${p.tables.length} tables\n`),
    rows: (p) => {
      const tenth = Math.floor((p.copied / Math.max(1, p.total)) * 10)
      if (p.total >= 10_000 && tenth > (printed.get(p.table) ?? 0) && tenth < 10) {
        printed.set(p.table, tenth)
        io.stderr.write(`  ${p.table}: ${p.copied}/${p.total}\n`)
      }
    },
    'table-done': (p) => io.stderr.write(`  ${p.table}: ${p.rows} rows\n`),
    verified: (p) => {
      if (p.sqlite !== p.postgres) io.stderr.write(`  MISMATCH ${p.table}: SQLite ${p.sqlite}, PostgreSQL ${p.postgres}\n`)
    },
  }
  return (p) => (handlers[p.kind] as (p: CopyProgress) => void)(p)
}
