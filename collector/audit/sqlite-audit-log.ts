import type { Db } from '../store/sqlite-open.js'
import { chainEntry, type AuditEntry, type AuditEvent } from './audit-chain.js'
import type { AuditLog, AuditQuery } from './audit-log.js'
import { auditListSql, entriesBySeq } from './audit-reads.js'
import { toAuditEntry, type AuditDbRow } from './audit-row.js'
import { namedParameters } from '../store/sql-parameters.js'

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
    const p = namedParameters()
    return this.#db.prepare<Record<string, unknown>, AuditDbRow>(auditListSql(query, p.add)).all(p.values).map(toAuditEntry)
  }

  entries(): AsyncIterable<AuditEntry> {
    return entriesBySeq((after, limit) => this.#s.page.all(after, limit))
  }

  entriesBetween(from: Date, to: Date): AsyncIterable<AuditEntry> {
    return entriesBySeq((after, limit) => this.#s.between.all(from.toISOString(), to.toISOString(), after, limit))
  }
}
