import { z } from 'zod'
import type { Db } from '../store/sqlite-open.js'
import { auditActions } from './audit-actions.js'
import { chainEntry, type AuditEntry, type AuditEvent } from './audit-chain.js'

export interface AuditQuery {
  limit: number
  /** Rows with seq below this (paging backwards from the newest). */
  beforeSeq?: number | undefined
  action?: string | undefined
  actor?: string | undefined
}

/** The audit log as the collector uses it; async so that a networked store fits (issue 14). */
export interface AuditLog {
  append(event: AuditEvent): Promise<AuditEntry>
  list(query: AuditQuery): Promise<AuditEntry[]>
  /** Every row, oldest first, for verification. */
  entries(): IterableIterator<AuditEntry>
}

const detailsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
const actionSchema = z.enum(auditActions)

interface AuditDbRow {
  seq: number
  at: string
  actor: string
  action: string
  target: string | null
  outcome: 'success' | 'failure'
  ip: string | null
  details: string
  prev_hash: string
  hash: string
}

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
      all: db.prepare<[], AuditDbRow>('SELECT * FROM audit_log ORDER BY seq'),
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
    return rows.map(toEntry)
  }

  *entries(): IterableIterator<AuditEntry> {
    for (const row of this.#s.all.iterate()) yield toEntry(row)
  }
}

function toEntry(row: AuditDbRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: actionSchema.parse(row.action),
    target: row.target,
    outcome: row.outcome,
    ip: row.ip,
    details: detailsSchema.parse(JSON.parse(row.details)),
    prevHash: row.prev_hash,
    hash: row.hash,
  }
}
