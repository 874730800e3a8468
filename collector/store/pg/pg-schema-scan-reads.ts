import { t } from './pg-schema-core.js'

/**
 * PostgreSQL mirror of SQLite migration 7 (collector/evidence/scan-reads-schema.ts): what
 * each stored scan read on its node, each distinct read set stored once under its SHA-256.
 */
export const pgScanReadsSql = `
CREATE TABLE read_sets (digest ${t} PRIMARY KEY, reads ${t} NOT NULL);
CREATE TABLE scan_reads (
  scan_pk bigint PRIMARY KEY REFERENCES scans(pk) ON DELETE CASCADE,
  digest ${t} NOT NULL REFERENCES read_sets(digest)
);
`
