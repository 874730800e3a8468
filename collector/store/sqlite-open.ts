import Database from 'better-sqlite3'
import { PostureError } from '../../rules/posture-error.js'
import { migrations } from './migrations.js'

export type Db = Database.Database

export interface OpenOptions {
  /** `full` (default): a committed ack survives power loss; `normal`: survives a crash only. */
  synchronous?: 'full' | 'normal'
  readonly?: boolean
}

/**
 * Opens the collector database with WAL, foreign keys and a busy timeout, and brings its
 * schema up to date (migrations by `user_version`). A database written by a newer Posture
 * is refused rather than misread.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  let db: Db
  try {
    db = new Database(path, { readonly: options.readonly ?? false })
  } catch (err) {
    throw new PostureError('UNREADABLE', `${path}: cannot open the database (${(err as Error).message})`, { cause: err })
  }
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
    // Admin commands write beside a running collector; wait for its short transactions.
    db.pragma('busy_timeout = 5000')
    // SQLite's default page cache is 2 MB (sqlite.org/pragma.html#pragma_cache_size); a fleet's
    // lifecycle and finding indexes outgrow it at a few thousand nodes, and every ingest then
    // re-reads index pages from the OS. 64 MB is used only as pages are read.
    db.pragma('cache_size = -65536')
    if (!options.readonly) migrate(db, path)
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

export function migrate(db: Db, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number
  const latest = migrations.at(-1)?.version ?? 0
  if (current > latest) {
    throw new PostureError('BAD_CONFIG', `${path}: database schema version ${current} is newer than this Posture understands (${latest}); upgrade Posture`)
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue
    db.transaction(() => {
      db.exec(migration.sql)
      db.pragma(`user_version = ${migration.version}`)
    }).immediate()
  }
}
