import { z } from 'zod'
import { auditActions } from './audit-actions.js'
import type { AuditEntry } from './audit-chain.js'

/** An `audit_log` row as either database returns it, turned into an entry (both backends share this). */
export interface AuditDbRow {
  seq: number | string
  at: string
  actor: string
  action: string
  target: string | null
  outcome: 'success' | 'failure'
  ip: string | null
  /** JSON text (SQLite TEXT), or already parsed (a PostgreSQL json/jsonb column). */
  details: unknown
  prev_hash: string
  hash: string
}

const detailsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
const actionSchema = z.enum(auditActions)

export function toAuditEntry(row: AuditDbRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: actionSchema.parse(row.action),
    target: row.target,
    outcome: row.outcome,
    ip: row.ip,
    details: detailsSchema.parse(typeof row.details === 'string' ? JSON.parse(row.details) : row.details),
    prevHash: row.prev_hash,
    hash: row.hash,
  }
}
