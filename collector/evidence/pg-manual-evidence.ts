import type { PgPool } from '../store/pg/pg-pool.js'
import { withPgTransaction } from '../store/pg/pg-transaction.js'
import type { ManualEvidence } from './evidence-model.js'
import { manualEvidenceItem, toManualEvidence, type ManualEvidenceRow, type ManualEvidenceStore, type NewManualEvidence } from './manual-evidence-store.js'

/**
 * Manual evidence on PostgreSQL: rows in `manual_evidence`, bytes in
 * `manual_evidence_files` (content-addressed by SHA-256, stored once), so that whichever
 * collector an auditor reaches serves the file. Read back in 1 MiB slices: an export
 * streams a 20 MiB attachment without holding it whole.
 */
const sliceBytes = 1024 * 1024

export class PgManualEvidence implements ManualEvidenceStore {
  readonly #pool: PgPool

  constructor(pool: PgPool) {
    this.#pool = pool
  }

  async add(input: NewManualEvidence, now: Date): Promise<ManualEvidence> {
    const item = manualEvidenceItem(input, now)
    await withPgTransaction(this.#pool, async (client) => {
      await client.query('INSERT INTO manual_evidence_files (sha256, content) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING', [item.sha256, input.content])
      await client.query(
        `INSERT INTO manual_evidence (id, framework, control, file_name, sha256, bytes, media_type, note, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [item.id, item.framework, item.control, item.fileName, item.sha256, item.bytes, item.mediaType, item.note, item.addedBy, item.addedAt],
      )
    })
    return item
  }

  async list(framework: string, control?: string): Promise<ManualEvidence[]> {
    const { rows } = control === undefined
      ? await this.#pool.query<ManualEvidenceRow>('SELECT * FROM manual_evidence WHERE framework = $1 ORDER BY control, added_at', [framework])
      : await this.#pool.query<ManualEvidenceRow>('SELECT * FROM manual_evidence WHERE framework = $1 AND control = $2 ORDER BY added_at', [framework, control])
    return rows.map(toManualEvidence)
  }

  async get(id: string): Promise<ManualEvidence | null> {
    const row = (await this.#pool.query<ManualEvidenceRow>('SELECT * FROM manual_evidence WHERE id = $1', [id])).rows[0]
    return row ? toManualEvidence(row) : null
  }

  async remove(id: string): Promise<boolean> {
    return withPgTransaction(this.#pool, async (client) => {
      const row = (await client.query<{ sha256: string }>('DELETE FROM manual_evidence WHERE id = $1 RETURNING sha256', [id])).rows[0]
      if (!row) return false
      await client.query('DELETE FROM manual_evidence_files WHERE sha256 = $1 AND NOT EXISTS (SELECT 1 FROM manual_evidence WHERE sha256 = $1)', [row.sha256])
      return true
    })
  }

  async *content(item: ManualEvidence): AsyncIterable<Buffer> {
    for (let offset = 0; offset < item.bytes; offset += sliceBytes) {
      // substring on bytea counts bytes from 1.
      const { rows } = await this.#pool.query<{ part: Buffer | null }>('SELECT substring(content FROM $2 FOR $3) AS part FROM manual_evidence_files WHERE sha256 = $1', [item.sha256, offset + 1, sliceBytes])
      const part = rows[0]?.part
      if (!part) throw new Error(`manual evidence ${item.id} (${item.fileName}): its file ${item.sha256} is missing from the database`)
      yield part
    }
  }
}
