import { severityRankSql } from '../dashboard-schema.js'
import { pk, t } from './pg-schema-core.js'

/**
 * PostgreSQL mirrors of SQLite migrations 2–5 (the subsystems' *-schema.ts files: auth,
 * audit, dashboard read model, schedules, SSH nodes, manual evidence, alerts). Same table
 * and column names; translation rules in pg-schema-core.ts.
 */

/** collector/auth/auth-schema.ts */
export const pgAuthSql = `
CREATE TABLE sessions (
  id_hash ${t} PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token ${t} NOT NULL,
  created_at ${t} NOT NULL,
  last_seen ${t} NOT NULL,
  ip ${t},
  totp_pending ${t}
);
CREATE INDEX sessions_user ON sessions(user_id);
ALTER TABLE users ADD COLUMN totp_last_step bigint;
CREATE TABLE recovery_codes (
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash ${t} NOT NULL,
  used_at ${t},
  PRIMARY KEY (user_id, code_hash)
);
`

/** collector/audit/audit-schema.ts: append-only, enforced by triggers (TRUNCATE too, which row triggers miss). */
export const pgAuditLogSql = `
CREATE TABLE audit_log (
  seq ${pk},
  at ${t} NOT NULL,
  actor ${t} NOT NULL,
  action ${t} NOT NULL,
  target ${t},
  outcome ${t} NOT NULL CHECK (outcome IN ('success', 'failure')),
  ip ${t},
  details ${t} NOT NULL,
  prev_hash ${t} NOT NULL,
  hash ${t} NOT NULL
);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
`

/** collector/store/dashboard-schema.ts: daily score read model kept by a trigger on scans, and read-model indexes. */
export const pgDashboardReadModelSql = `
CREATE TABLE node_daily_scores (
  node_id ${t} NOT NULL,
  day ${t} NOT NULL,
  score double precision NOT NULL,
  PRIMARY KEY (node_id, day)
);
CREATE TABLE fleet_daily_scores (
  day ${t} PRIMARY KEY,
  score_sum double precision NOT NULL,
  nodes bigint NOT NULL
);
CREATE FUNCTION scans_daily_score() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d text COLLATE "C" := substr(NEW.received_at, 1, 10);
BEGIN
  INSERT INTO fleet_daily_scores (day, score_sum, nodes) VALUES (d, 0, 0) ON CONFLICT (day) DO NOTHING;
  UPDATE fleet_daily_scores SET
    score_sum = score_sum + NEW.score - coalesce((SELECT score FROM node_daily_scores WHERE node_id = NEW.node_id AND day = d), 0),
    nodes = nodes + (SELECT CASE WHEN count(*) = 0 THEN 1 ELSE 0 END FROM node_daily_scores WHERE node_id = NEW.node_id AND day = d)
  WHERE day = d;
  INSERT INTO node_daily_scores (node_id, day, score) VALUES (NEW.node_id, d, NEW.score)
    ON CONFLICT (node_id, day) DO UPDATE SET score = excluded.score;
  RETURN NULL;
END;
$$;
CREATE TRIGGER scans_daily_score AFTER INSERT ON scans FOR EACH ROW WHEN (NEW.score IS NOT NULL) EXECUTE FUNCTION scans_daily_score();
INSERT INTO node_daily_scores (node_id, day, score)
  SELECT node_id, substr(received_at, 1, 10), score FROM scans s
  WHERE score IS NOT NULL AND pk = (SELECT max(pk) FROM scans t WHERE t.node_id = s.node_id AND substr(t.received_at, 1, 10) = substr(s.received_at, 1, 10) AND t.score IS NOT NULL);
INSERT INTO fleet_daily_scores (day, score_sum, nodes) SELECT day, sum(score), count(*) FROM node_daily_scores GROUP BY day;
CREATE INDEX nodes_score ON nodes(score) WHERE score IS NOT NULL;
CREATE INDEX nodes_offline ON nodes(offline_since) WHERE offline_since IS NOT NULL;
CREATE INDEX lifecycle_state_since ON finding_lifecycle(state, failing_since);
CREATE INDEX lifecycle_state_resolved ON finding_lifecycle(state, resolved_at);
CREATE INDEX lifecycle_open_sla ON finding_lifecycle(state, last_status, sla_due);
CREATE INDEX lifecycle_open_severity ON finding_lifecycle(state, last_status, severity);
CREATE INDEX lifecycle_rule ON finding_lifecycle(rule);
CREATE INDEX lifecycle_status_rank ON finding_lifecycle(last_status, (${severityRankSql}), failing_since);
`

/** collector/schedule/schedule-schema.ts */
export const pgScheduleSql = `
CREATE TABLE schedules (
  id ${pk},
  name ${t} NOT NULL,
  cron ${t} NOT NULL,
  time_zone ${t} NOT NULL,
  jitter_ms bigint NOT NULL CHECK (jitter_ms >= 0),
  target ${t} NOT NULL,
  mode ${t} NOT NULL CHECK (mode IN ('agent', 'ssh')),
  domains ${t} NOT NULL,
  enabled bigint NOT NULL DEFAULT 1,
  created_at ${t} NOT NULL,
  since ${t} NOT NULL,
  last_slot ${t},
  deleted_at ${t}
);
CREATE UNIQUE INDEX schedules_live_name ON schedules(name) WHERE deleted_at IS NULL;

CREATE TABLE schedule_runs (
  id ${pk},
  schedule_id bigint NOT NULL REFERENCES schedules(id),
  trigger ${t} NOT NULL CHECK (trigger IN ('slot', 'catch-up', 'manual')),
  slot ${t},
  missed_slots bigint NOT NULL DEFAULT 0,
  started_at ${t} NOT NULL,
  finished_at ${t},
  status ${t} NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed', 'interrupted')),
  targeted bigint NOT NULL DEFAULT 0,
  scanned bigint NOT NULL DEFAULT 0,
  scans ${t} NOT NULL DEFAULT '[]',
  failures ${t} NOT NULL DEFAULT '[]'
);
CREATE INDEX schedule_runs_schedule ON schedule_runs(schedule_id, id);
CREATE INDEX schedule_runs_running ON schedule_runs(status) WHERE status = 'running';
`

/** collector/schedule/schedule-schema.ts, migration 8: the collector that runs each run. */
export const pgScheduleRunOwnerSql = `
ALTER TABLE schedule_runs ADD COLUMN owner ${t};
`

/** collector/ssh/ssh-schema.ts */
export const pgSshSql = `
CREATE TABLE ssh_nodes (
  name ${t} PRIMARY KEY,
  username ${t} NOT NULL,
  host ${t} NOT NULL,
  port bigint NOT NULL CHECK (port BETWEEN 1 AND 65535),
  key_ref ${t} NOT NULL,
  sudo bigint NOT NULL DEFAULT 0,
  labels ${t} NOT NULL DEFAULT '{}',
  created_at ${t} NOT NULL,
  node_id ${t},
  last_scan_at ${t},
  last_error ${t}
);

CREATE TABLE ssh_host_keys (
  host_id ${t} PRIMARY KEY,
  key_type ${t} NOT NULL,
  fingerprint ${t} NOT NULL,
  first_seen ${t} NOT NULL,
  last_verified ${t},
  refused_at ${t},
  refused_key_type ${t},
  refused_fingerprint ${t}
);
`

/** collector/evidence/evidence-schema.ts */
export const pgManualEvidenceSql = `
CREATE TABLE manual_evidence (
  id ${t} PRIMARY KEY,
  framework ${t} NOT NULL,
  control ${t} NOT NULL,
  file_name ${t} NOT NULL,
  sha256 ${t} NOT NULL,
  bytes bigint NOT NULL,
  media_type ${t} NOT NULL,
  note ${t} NOT NULL,
  added_by ${t} NOT NULL,
  added_at ${t} NOT NULL
);
CREATE INDEX manual_evidence_control ON manual_evidence(framework, control);
CREATE TABLE manual_evidence_files (sha256 ${t} PRIMARY KEY, content bytea NOT NULL);
`

/** collector/alerts/alert-schema.ts */
export const pgAlertsSql = `
CREATE TABLE webhooks (
  id ${pk},
  name ${t} NOT NULL,
  url ${t} NOT NULL,
  format ${t} NOT NULL CHECK (format IN ('json', 'slack')),
  events ${t} NOT NULL,
  min_severity ${t} NOT NULL,
  secret ${t} NOT NULL,
  created_at ${t} NOT NULL,
  deleted_at ${t}
);

CREATE TABLE alert_outbox (
  id ${pk},
  webhook_id bigint NOT NULL REFERENCES webhooks(id),
  dedupe_key ${t} NOT NULL,
  message_id ${t} NOT NULL,
  body ${t} NOT NULL,
  created_at ${t} NOT NULL,
  status ${t} NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts bigint NOT NULL DEFAULT 0,
  next_attempt_at ${t} NOT NULL,
  last_error ${t},
  UNIQUE (webhook_id, dedupe_key)
);
CREATE INDEX alert_outbox_due ON alert_outbox(next_attempt_at) WHERE status = 'pending';

CREATE TABLE alert_deliveries (
  id ${pk},
  outbox_id bigint NOT NULL REFERENCES alert_outbox(id),
  webhook_id bigint NOT NULL REFERENCES webhooks(id),
  attempt bigint NOT NULL,
  at ${t} NOT NULL,
  outcome ${t} NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
  http_status bigint,
  error ${t},
  duration_ms bigint NOT NULL
);
CREATE INDEX alert_deliveries_webhook ON alert_deliveries(webhook_id, id);

CREATE TABLE alert_conditions (key ${t} PRIMARY KEY, fired_at ${t} NOT NULL);

CREATE TABLE alert_certificates (
  node_id ${t} NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  target ${t} NOT NULL,
  subject ${t} NOT NULL,
  not_after ${t} NOT NULL,
  PRIMARY KEY (node_id, target)
);
`
