/**
 * Migration 9, cheaper ingest (issue 8). A node's first report writes one lifecycle row per
 * finding, and every secondary index on `finding_lifecycle` costs each of those rows an
 * index insert: with nine indexes a first report of 60 findings spent ~3 ms in them
 * (`npm run bench -- collector-ingest`). Most rows are passing, and the overview's and
 * alerts' queries read only open or resolved rows, so their indexes become partial: a
 * passing row no longer pays for them. Each query names its state as a literal, which is
 * what lets SQLite and PostgreSQL use a partial index (sqlite.org/partialindex.html §2.2).
 *
 * `nodes.lifecycle_digest` records what the node's last lifecycle update observed
 * (lifecycle.ts, observationDigest): a report that observes the same needs no lifecycle
 * read or write at all, which is most reports of a steady fleet.
 *
 * The same statements are valid in both dialects; PostgreSQL's migration 9 runs them too.
 */
export const ingestReadModelSql = `
ALTER TABLE nodes ADD COLUMN lifecycle_digest TEXT;
DROP INDEX lifecycle_state;
DROP INDEX lifecycle_state_since;
DROP INDEX lifecycle_state_resolved;
DROP INDEX lifecycle_open_sla;
DROP INDEX lifecycle_open_severity;
CREATE INDEX lifecycle_open_since ON finding_lifecycle(failing_since) WHERE state = 'open';
CREATE INDEX lifecycle_open_sla ON finding_lifecycle(last_status, sla_due) WHERE state = 'open';
CREATE INDEX lifecycle_open_severity ON finding_lifecycle(last_status, severity) WHERE state = 'open';
CREATE INDEX lifecycle_resolved_at ON finding_lifecycle(resolved_at) WHERE state = 'resolved';
`
