import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Db } from '../store/sqlite-open.js'
import type { ManualEvidence } from './evidence-model.js'

/**
 * Manual evidence: files and notes auditors attach to a framework control that Posture
 * cannot check itself (a policy, a training record, a pen-test report). Rows in
 * `manual_evidence` (evidence-schema.ts, migration 4), bytes in
 * `<data>/evidence-files/<sha256>` (0600, content-addressed: a file attached twice is stored once).
 */

/** The largest file an auditor may attach (a scanned policy, a report). */
export const maxManualEvidenceBytes = 20 * 1024 * 1024

interface Row {
  id: string
  framework: string
  control: string
  file_name: string
  sha256: string
  bytes: number
  media_type: string
  note: string
  added_by: string
  added_at: string
}

export class ManualEvidenceStore {
  readonly #db: Db
  readonly #dir: string

  constructor(db: Db, dataDir: string) {
    this.#db = db
    this.#dir = join(dataDir, 'evidence-files')
  }

  add(input: { framework: string; control: string; fileName: string; mediaType: string; note: string; addedBy: string; content: Buffer }, now: Date): ManualEvidence {
    if (input.content.length > maxManualEvidenceBytes) throw new RangeError(`manual evidence is limited to ${maxManualEvidenceBytes} bytes`)
    const sha256 = createHash('sha256').update(input.content).digest('hex')
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 })
    const path = join(this.#dir, sha256)
    if (!existsSync(path)) {
      const temporary = `${path}.${process.pid}.tmp`
      writeFileSync(temporary, input.content, { mode: 0o600 })
      renameSync(temporary, path)
    }
    const item: ManualEvidence = {
      id: randomUUID(),
      framework: input.framework,
      control: input.control,
      fileName: input.fileName,
      sha256,
      bytes: input.content.length,
      mediaType: input.mediaType,
      note: input.note,
      addedBy: input.addedBy,
      addedAt: now.toISOString(),
    }
    this.#db
      .prepare(`INSERT INTO manual_evidence (id, framework, control, file_name, sha256, bytes, media_type, note, added_by, added_at)
        VALUES (@id, @framework, @control, @fileName, @sha256, @bytes, @mediaType, @note, @addedBy, @addedAt)`)
      .run(item)
    return item
  }

  list(framework: string, control?: string): ManualEvidence[] {
    const rows = control === undefined
      ? this.#db.prepare<[string], Row>('SELECT * FROM manual_evidence WHERE framework = ? ORDER BY control, added_at').all(framework)
      : this.#db.prepare<[string, string], Row>('SELECT * FROM manual_evidence WHERE framework = ? AND control = ? ORDER BY added_at').all(framework, control)
    return rows.map(toItem)
  }

  get(id: string): ManualEvidence | null {
    const row = this.#db.prepare<[string], Row>('SELECT * FROM manual_evidence WHERE id = ?').get(id)
    return row ? toItem(row) : null
  }

  remove(id: string): boolean {
    const item = this.get(id)
    if (!item) return false
    this.#db.prepare('DELETE FROM manual_evidence WHERE id = ?').run(id)
    const stillUsed = this.#db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM manual_evidence WHERE sha256 = ?').get(item.sha256)!.n > 0
    if (!stillUsed) rmSync(join(this.#dir, item.sha256), { force: true })
    return true
  }

  content(item: ManualEvidence): AsyncIterable<Buffer> {
    return createReadStream(join(this.#dir, item.sha256)) as AsyncIterable<Buffer>
  }
}

function toItem(row: Row): ManualEvidence {
  return { id: row.id, framework: row.framework, control: row.control, fileName: row.file_name, sha256: row.sha256, bytes: row.bytes, mediaType: row.media_type, note: row.note, addedBy: row.added_by, addedAt: row.added_at }
}
