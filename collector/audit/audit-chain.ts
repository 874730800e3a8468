import { createHash } from 'node:crypto'
import { canonicalJson, type CanonicalValue } from './canonical-json.js'
import type { AuditAction } from './audit-actions.js'

/**
 * The audit log's hash chain (DESIGN.md, "Auth": append-only, hash-chained). Each row
 * stores `hash = SHA-256(prevHash ‖ canonicalJson(content))`, hex, where content is every
 * field of the row except the two hashes, and the first row's prevHash is 64 zeros.
 * Editing, removing or reordering any row breaks every hash after it; `verifyAuditChain`
 * finds the first row where that happened (issue 11 wires it to
 * `posture collector audit verify`).
 */
export const genesisHash = '0'.repeat(64)

export type AuditOutcome = 'success' | 'failure'
export type AuditDetails = Record<string, string | number | boolean | null>

/** What a caller records. */
export interface AuditEvent {
  /** Who: `user:alice`, `token:ab12cd`, `system`, or the username tried at a failed login. */
  actor: string
  action: AuditAction
  /** What it acted on: `user:bob`, `node:1f2e…`, `token:…`; null when nothing. */
  target: string | null
  outcome: AuditOutcome
  /** The client's address, when the event came over HTTP. */
  ip: string | null
  details: AuditDetails
}

/** A stored row: the event, its place and time, and its link in the chain. */
export interface AuditEntry extends AuditEvent {
  seq: number
  at: string
  prevHash: string
  hash: string
}

export type AuditContent = Omit<AuditEntry, 'prevHash' | 'hash'>

/** The canonical bytes a row's hash covers. */
export function auditContent(entry: AuditContent): string {
  const content: { [key: string]: CanonicalValue } = {
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    outcome: entry.outcome,
    ip: entry.ip,
    details: entry.details,
  }
  return canonicalJson(content)
}

export function auditHash(prevHash: string, entry: AuditContent): string {
  return createHash('sha256').update(prevHash).update(auditContent(entry)).digest('hex')
}

/** The next row of the chain after `previous` (null: the first row). */
export function chainEntry(previous: Pick<AuditEntry, 'seq' | 'hash'> | null, event: AuditEvent, at: Date): AuditEntry {
  const prevHash = previous?.hash ?? genesisHash
  const content: AuditContent = { ...event, seq: (previous?.seq ?? 0) + 1, at: at.toISOString() }
  return { ...content, prevHash, hash: auditHash(prevHash, content) }
}

export type ChainVerdict =
  | { ok: true; count: number; lastHash: string }
  | { ok: false; count: number; seq: number; reason: 'sequence-gap' | 'prev-hash-mismatch' | 'hash-mismatch' }

/**
 * Checks rows in order: consecutive sequence numbers from 1, each prevHash equal to the
 * hash before it, each hash recomputed from its content. Takes any iterable so a large
 * log streams through without being held in memory.
 */
export function verifyAuditChain(rows: Iterable<AuditEntry>): ChainVerdict {
  const verifier = new ChainVerifier()
  for (const row of rows) {
    const broken = verifier.next(row)
    if (broken) return broken
  }
  return verifier.verdict()
}

/** The same check over rows read from a database as they arrive (async cursor or pages). */
export async function verifyAuditChainAsync(rows: AsyncIterable<AuditEntry>): Promise<ChainVerdict> {
  const verifier = new ChainVerifier()
  for await (const row of rows) {
    const broken = verifier.next(row)
    if (broken) return broken
  }
  return verifier.verdict()
}

/** One row at a time: `next` returns the verdict at the first broken row, else null. */
class ChainVerifier {
  #expectedSeq = 1
  #prevHash = genesisHash
  #count = 0

  next(row: AuditEntry): ChainVerdict | null {
    const count = this.#count
    if (row.seq !== this.#expectedSeq) return { ok: false, count, seq: row.seq, reason: 'sequence-gap' }
    if (row.prevHash !== this.#prevHash) return { ok: false, count, seq: row.seq, reason: 'prev-hash-mismatch' }
    if (auditHash(this.#prevHash, row) !== row.hash) return { ok: false, count, seq: row.seq, reason: 'hash-mismatch' }
    this.#prevHash = row.hash
    this.#expectedSeq++
    this.#count++
    return null
  }

  verdict(): ChainVerdict {
    return { ok: true, count: this.#count, lastHash: this.#prevHash }
  }
}
