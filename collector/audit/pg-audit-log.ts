import type { PgPool } from '../store/pg/pg-pool.js'
import { withPgTransaction } from '../store/pg/pg-transaction.js'
import { positionalParameters } from '../store/sql-parameters.js'
import { chainEntry, type AuditEntry, type AuditEvent } from './audit-chain.js'
import type { AuditLog, AuditQuery } from './audit-log.js'
import { auditListSql, entriesBySeq } from './audit-reads.js'
import { toAuditEntry, type AuditDbRow } from './audit-row.js'

/**
 * The audit log on PostgreSQL. Several collectors (and the CLI) append to one chain, so
 * each append takes `audit_log` in SHARE ROW EXCLUSIVE mode for its transaction: appends
 * from every connection run one at a time (each reads the last row only once the previous
 * append committed), while readers are never blocked. The `seq` primary key refuses a fork
 * even if something bypassed the lock.
 */
export class PgAuditLog implements AuditLog {
  readonly #pool: PgPool
  readonly #clock: () => Date

  constructor(pool: PgPool, clock: () => Date = () => new Date()) {
    this.#pool = pool
    this.#clock = clock
  }

  async append(event: AuditEvent): Promise<AuditEntry> {
    return withPgTransaction(this.#pool, async (client) => {
      await client.query('LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE')
      const { rows } = await client.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')
      const last = rows[0]
      // The clock is read under the lock, so `at` never goes backwards along the chain.
      const entry = chainEntry(last ? { seq: Number(last.seq), hash: last.hash } : null, event, this.#clock())
      await client.query(
        `INSERT INTO audit_log (seq, at, actor, action, target, outcome, ip, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [entry.seq, entry.at, entry.actor, entry.action, entry.target, entry.outcome, entry.ip, JSON.stringify(entry.details), entry.prevHash, entry.hash],
      )
      return entry
    })
  }

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const p = positionalParameters()
    const { rows } = await this.#pool.query<AuditDbRow>(auditListSql(query, p.add), p.values)
    return rows.map(toAuditEntry)
  }

  // Keyset pages by seq: a long log streams through without a long-lived cursor or transaction.
  entries(): AsyncIterable<AuditEntry> {
    return entriesBySeq(async (after, limit) => (await this.#pool.query<AuditDbRow>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [after, limit])).rows)
  }

  entriesBetween(from: Date, to: Date): AsyncIterable<AuditEntry> {
    return entriesBySeq(async (after, limit) =>
      (await this.#pool.query<AuditDbRow>('SELECT * FROM audit_log WHERE at >= $1 AND at < $2 AND seq > $3 ORDER BY seq LIMIT $4', [from.toISOString(), to.toISOString(), after, limit])).rows)
  }
}
