import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Db } from '../store/sqlite-open.js'
import type { ManualEvidence } from './evidence-model.js'
import { manualEvidenceItem, toManualEvidence, type ManualEvidenceRow, type ManualEvidenceStore, type NewManualEvidence } from './manual-evidence-store.js'

/**
 * Manual evidence on the embedded store: rows in `manual_evidence` (evidence-schema.ts,
 * migration 4), bytes in `<data>/evidence-files/<sha256>` (0600, content-addressed).
 */
export class SqliteManualEvidence implements ManualEvidenceStore {
  readonly #dir: string
  readonly #s

  constructor(db: Db, dataDir: string) {
    this.#dir = join(dataDir, 'evidence-files')
    this.#s = {
      insert: db.prepare(`INSERT INTO manual_evidence (id, framework, control, file_name, sha256, bytes, media_type, note, added_by, added_at)
        VALUES (@id, @framework, @control, @fileName, @sha256, @bytes, @mediaType, @note, @addedBy, @addedAt)`),
      byFramework: db.prepare<[string], ManualEvidenceRow>('SELECT * FROM manual_evidence WHERE framework = ? ORDER BY control, added_at'),
      byControl: db.prepare<[string, string], ManualEvidenceRow>('SELECT * FROM manual_evidence WHERE framework = ? AND control = ? ORDER BY added_at'),
      one: db.prepare<[string], ManualEvidenceRow>('SELECT * FROM manual_evidence WHERE id = ?'),
      remove: db.prepare('DELETE FROM manual_evidence WHERE id = ?'),
      uses: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM manual_evidence WHERE sha256 = ?'),
    }
  }

  async add(input: NewManualEvidence, now: Date): Promise<ManualEvidence> {
    const item = manualEvidenceItem(input, now)
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 })
    const path = join(this.#dir, item.sha256)
    if (!existsSync(path)) {
      const temporary = `${path}.${process.pid}.tmp`
      writeFileSync(temporary, input.content, { mode: 0o600 })
      renameSync(temporary, path)
    }
    this.#s.insert.run(item)
    return item
  }

  async list(framework: string, control?: string): Promise<ManualEvidence[]> {
    return (control === undefined ? this.#s.byFramework.all(framework) : this.#s.byControl.all(framework, control)).map(toManualEvidence)
  }

  async get(id: string): Promise<ManualEvidence | null> {
    const row = this.#s.one.get(id)
    return row ? toManualEvidence(row) : null
  }

  async remove(id: string): Promise<boolean> {
    const item = await this.get(id)
    if (!item) return false
    this.#s.remove.run(id)
    if (this.#s.uses.get(item.sha256)!.n === 0) rmSync(join(this.#dir, item.sha256), { force: true })
    return true
  }

  content(item: ManualEvidence): AsyncIterable<Buffer> {
    return createReadStream(join(this.#dir, item.sha256)) as AsyncIterable<Buffer>
  }
}
