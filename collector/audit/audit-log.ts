import type { AuditEntry, AuditEvent } from './audit-chain.js'

export interface AuditQuery {
  limit: number
  /** Rows with seq below this (paging backwards from the newest). */
  beforeSeq?: number | undefined
  action?: string | undefined
  actor?: string | undefined
}

/**
 * The audit log as the collector uses it, on SQLite (sqlite-audit-log.ts) or PostgreSQL
 * (pg-audit-log.ts). Appends serialise in the database, so two writers (two collectors, a
 * collector and the CLI) can never fork the hash chain. Reads stream: a long log is never
 * held in memory.
 */
export interface AuditLog {
  append(event: AuditEvent): Promise<AuditEntry>
  list(query: AuditQuery): Promise<AuditEntry[]>
  /** Every row, oldest first, for verification and export. */
  entries(): AsyncIterable<AuditEntry>
  /** Rows with `at` in [from, to), oldest first (an evidence export's excerpt). */
  entriesBetween(from: Date, to: Date): AsyncIterable<AuditEntry>
}
