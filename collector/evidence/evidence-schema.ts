/** Manual evidence attached to framework controls (manual-evidence-store.ts); migration 4. */
export const manualEvidenceSql = `
CREATE TABLE manual_evidence (
  id TEXT PRIMARY KEY,
  framework TEXT NOT NULL,
  control TEXT NOT NULL,
  file_name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  media_type TEXT NOT NULL,
  note TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL
) STRICT;
CREATE INDEX manual_evidence_control ON manual_evidence(framework, control);
`
