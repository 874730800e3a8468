/**
 * Tables for scheduled scans (issue 9). A schedule is never deleted while it has history:
 * removing it sets `deleted_at`, so auditors keep every run it made. `last_slot` is moved
 * in the same transaction that records a run, so a slot is run at most once even across
 * a crash (an unfinished run is marked `interrupted` on the next start, not repeated).
 */
export const scheduleSql = `
CREATE TABLE schedules (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  cron TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  jitter_ms INTEGER NOT NULL CHECK (jitter_ms >= 0),
  target TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('agent', 'ssh')),
  domains TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  since TEXT NOT NULL,
  last_slot TEXT,
  deleted_at TEXT
) STRICT;
CREATE UNIQUE INDEX schedules_live_name ON schedules(name) WHERE deleted_at IS NULL;

CREATE TABLE schedule_runs (
  id INTEGER PRIMARY KEY,
  schedule_id INTEGER NOT NULL REFERENCES schedules(id),
  trigger TEXT NOT NULL CHECK (trigger IN ('slot', 'catch-up', 'manual')),
  slot TEXT,
  missed_slots INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed', 'interrupted')),
  targeted INTEGER NOT NULL DEFAULT 0,
  scanned INTEGER NOT NULL DEFAULT 0,
  scans TEXT NOT NULL DEFAULT '[]',
  failures TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX schedule_runs_schedule ON schedule_runs(schedule_id, id);
CREATE INDEX schedule_runs_running ON schedule_runs(status) WHERE status = 'running';
`

/**
 * Migration 8: the collector that runs each run (its cluster id: `local` alone, the
 * PostgreSQL cluster member id otherwise). A run left `running` is interrupted by its own
 * collector when it starts again, or by any collector once its owner's cluster presence
 * has expired (scheduler.ts), never while its owner is alive. Runs from before this
 * migration have no owner: no live collector claims them.
 */
export const scheduleRunOwnerSql = `
ALTER TABLE schedule_runs ADD COLUMN owner TEXT;
`
