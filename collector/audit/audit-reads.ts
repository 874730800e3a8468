import type { AddParameter } from '../store/sql-parameters.js'
import type { AuditEntry } from './audit-chain.js'
import type { AuditQuery } from './audit-log.js'
import { toAuditEntry, type AuditDbRow } from './audit-row.js'

/** The audit log's reads, for both backends (sqlite-audit-log.ts, pg-audit-log.ts). */
const pageRows = 1000

/** `list`'s query, newest first; `add(value)` writes the dialect's placeholder. */
export function auditListSql(query: AuditQuery, add: AddParameter): string {
  const where: string[] = []
  if (query.beforeSeq !== undefined) where.push(`seq < ${add(query.beforeSeq)}`)
  if (query.action !== undefined) where.push(`action = ${add(query.action)}`)
  if (query.actor !== undefined) where.push(`actor = ${add(query.actor)}`)
  return `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${add(query.limit)}`
}

/**
 * Entries in seq order, read in keyset pages (`seq > after`) rather than through one open
 * iterator or cursor: no statement or transaction stays busy across the caller's awaits.
 */
export async function* entriesBySeq(page: (after: number, limit: number) => AuditDbRow[] | Promise<AuditDbRow[]>): AsyncIterable<AuditEntry> {
  let after = 0
  for (;;) {
    const rows = await page(after, pageRows)
    for (const row of rows) yield toAuditEntry(row)
    if (rows.length < pageRows) return
    after = Number(rows.at(-1)!.seq)
  }
}
