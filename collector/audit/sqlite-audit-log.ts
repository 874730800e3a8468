import type { Db } from '../store/sqlite-open.js'
import { chainEntry, type AuditEntry, type AuditEvent } from './audit-chain.js'
import type { AuditLog, AuditQuery } from './audit-log.js'
import { toAuditEntry, type AuditDbRow } from './audit-row.js'


/**
 * SQLite audit log: each append reads the last row and inserts the next link in one
 * IMMEDIATE transaction, so two writers can never fork the chain.
 */
export class SqliteAuditLog implements AuditLog {
  readonly #db: Db
  readonly #clock: () => Date
  readonly #s

  constructor(db: Db, clock: () => Date = () => new Date()) {
    this.#db = db
    this.#clock = clock
    this.#s = {
      last: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare(`INSERT INTO audit_log (seq, at, actor, action, target, outcome, ip, details, prev_hash, hash)
        VALUES (@seq, @at, @actor, @action, @target, @outcome, @ip, @details, @prevHash, @hash)`),
      page: db.prepare<[number, number], AuditDbRow>('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?'),
      between: db.prepare<[string, string, number, number], AuditDbRow>('SELECT * FROM audit_log WHERE at >= ? AND at < ? AND seq > ? ORDER BY seq LIMIT ?'),
    }
  }

  async append(event: AuditEvent): Promise<AuditEntry> {
    return this.#db.transaction(() => {
      const entry = chainEntry(this.#s.last.get() ?? null, event, this.#clock())
      this.#s.insert.run({ ...entry, details: JSON.stringify(entry.details) })
      return entry
    }).immediate()
  }

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = []
    const params: Record<string, string | number> = { limit: query.limit }
    if (query.beforeSeq !== undefined) (params.beforeSeq = query.beforeSeq), where.push('seq < @beforeSeq')
    if (query.action !== undefined) (params.action = query.action), where.push('action = @action')
    if (query.actor !== undefined) (params.actor = query.actor), where.push('actor = @actor')
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`
    const rows = this.#db.prepare<Record<string, string | number>, AuditDbRow>(sql).all(params)
    return rows.map(toAuditEntry)
  }

  // Pages by seq rather than one open iterator: no statement stays busy across awaits.
  async *entries(): AsyncIterable<AuditEntry> {
    let after = 0
    for (;;) {
      const rows = this.#s.page.all(after, pageRows)
      for (const row of rows) yield toAuditEntry(row)
      if (rows.length < pageRows) return
      after = Number(rows.at(-1)!.seq)
    }
  }

  async *entriesBetween(from: Date, to: Date): AsyncIterable<AuditEntry> {
    let after = 0
    for (;;) {
      const rows = this.#s.between.all(from.toISOString(), to.toISOString(), after, pageRows)
      for (const row of rows) yield toAuditEntry(row)
      if (rows.length < pageRows) return
      after = Number(rows.at(-1)!.seq)
    }
  }
}

const pageRows = 1000
