import { StringDecoder } from 'node:string_decoder'
import { z } from 'zod'
import { auditActions } from '../audit/audit-actions.js'
import { auditHash, type AuditEntry } from '../audit/audit-chain.js'

/**
 * The audit-log excerpt in an evidence archive (`audit-log.jsonl`, one row a line): the
 * rows of the window with their hash-chain links. The excerpt is checked on its own: it
 * must start from the anchor (the hash of the row before it, named in the manifest), run
 * on consecutive sequence numbers, and every row's hash must be recomputable from its
 * content and the previous hash (collector/audit/audit-chain.ts).
 */
export const auditEntrySchema = z
  .object({
    seq: z.number().int().positive(),
    at: z.string(),
    actor: z.string(),
    action: z.enum(auditActions),
    target: z.string().nullable(),
    outcome: z.enum(['success', 'failure']),
    ip: z.string().nullable(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    prevHash: z.string(),
    hash: z.string(),
  })
  .strict()

export type ExcerptProblem = { seq: number | null; line: number; problem: string }

/** Checks excerpt rows one at a time; call `end()` for the verdict. */
export class AuditExcerptChecker {
  #prevHash: string | null
  #expectedSeq: number | null = null
  #line = 0
  #rows = 0
  readonly problems: ExcerptProblem[] = []

  constructor(anchorPrevHash: string | null) {
    this.#prevHash = anchorPrevHash
  }

  line(text: string): void {
    this.#line++
    if (text.trim() === '') return
    if (this.problems.length > 0) return // the first break is the one that matters
    let row: AuditEntry
    try {
      row = auditEntrySchema.parse(JSON.parse(text)) as AuditEntry
    } catch {
      this.problems.push({ seq: null, line: this.#line, problem: 'not an audit-log row' })
      return
    }
    this.#rows++
    if (this.#expectedSeq !== null && row.seq !== this.#expectedSeq) {
      this.problems.push({ seq: row.seq, line: this.#line, problem: `sequence gap: expected row ${this.#expectedSeq}, found ${row.seq} (a row was removed or reordered)` })
      return
    }
    if (this.#prevHash !== null && row.prevHash !== this.#prevHash) {
      this.problems.push({ seq: row.seq, line: this.#line, problem: 'prevHash does not link to the row before it (a row before it was changed or removed)' })
      return
    }
    if (auditHash(row.prevHash, row) !== row.hash) {
      this.problems.push({ seq: row.seq, line: this.#line, problem: 'hash does not match the row content (the row was edited)' })
      return
    }
    this.#prevHash = row.hash
    this.#expectedSeq = row.seq + 1
  }

  get rows(): number {
    return this.#rows
  }

  get lastHash(): string | null {
    return this.#prevHash
  }
}

/** Splits a stream of text chunks into lines, for line-at-a-time checks. */
export class LineSplitter {
  #rest = ''
  // A chunk boundary can fall inside a multi-byte character.
  readonly #decoder = new StringDecoder('utf8')
  readonly #onLine: (line: string) => void
  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine
  }
  push(chunk: Buffer): void {
    const text = this.#rest + this.#decoder.write(chunk)
    const lines = text.split('\n')
    this.#rest = lines.pop() ?? ''
    for (const line of lines) this.#onLine(line)
  }
  end(): void {
    this.#rest += this.#decoder.end()
    if (this.#rest !== '') this.#onLine(this.#rest)
    this.#rest = ''
  }
}
