import { createHash, randomUUID } from 'node:crypto'
import type { ManualEvidence } from './evidence-model.js'

/**
 * Manual evidence: files and notes auditors attach to a framework control that Posture
 * cannot check itself (a policy, a training record, a pen-test report). The rows and the
 * bytes live with the backend: on SQLite, rows in `manual_evidence` and bytes in
 * `<data>/evidence-files/<sha256>` (sqlite-manual-evidence.ts); on PostgreSQL both in the
 * database (pg-manual-evidence.ts), so every collector serves every file.
 */

/** The largest file an auditor may attach (a scanned policy, a report). */
export const maxManualEvidenceBytes = 20 * 1024 * 1024

export interface NewManualEvidence {
  framework: string
  control: string
  fileName: string
  mediaType: string
  note: string
  addedBy: string
  content: Buffer
}

export interface ManualEvidenceStore {
  add(input: NewManualEvidence, now: Date): Promise<ManualEvidence>
  list(framework: string, control?: string): Promise<ManualEvidence[]>
  get(id: string): Promise<ManualEvidence | null>
  remove(id: string): Promise<boolean>
  /** The attached file's bytes. */
  content(item: ManualEvidence): AsyncIterable<Buffer>
}

/** The row an attachment becomes (content-addressed: a file attached twice is stored once). */
export function manualEvidenceItem(input: NewManualEvidence, now: Date): ManualEvidence {
  if (input.content.length > maxManualEvidenceBytes) throw new RangeError(`manual evidence is limited to ${maxManualEvidenceBytes} bytes`)
  return {
    id: randomUUID(),
    framework: input.framework,
    control: input.control,
    fileName: input.fileName,
    sha256: createHash('sha256').update(input.content).digest('hex'),
    bytes: input.content.length,
    mediaType: input.mediaType,
    note: input.note,
    addedBy: input.addedBy,
    addedAt: now.toISOString(),
  }
}

export interface ManualEvidenceRow {
  id: string
  framework: string
  control: string
  file_name: string
  sha256: string
  bytes: number | string
  media_type: string
  note: string
  added_by: string
  added_at: string
}

export function toManualEvidence(row: ManualEvidenceRow): ManualEvidence {
  return { id: row.id, framework: row.framework, control: row.control, fileName: row.file_name, sha256: row.sha256, bytes: Number(row.bytes), mediaType: row.media_type, note: row.note, addedBy: row.added_by, addedAt: row.added_at }
}
