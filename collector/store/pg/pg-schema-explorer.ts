import { severityRankSql } from '../dashboard-schema.js'
import { t } from './pg-schema-core.js'

/**
 * PostgreSQL mirror of SQLite migration 6 (collector/store/explorer-schema.ts and
 * collector/auth/login-failures-schema.ts): the findings explorer's read model — node
 * labels kept from `nodes.labels` by triggers, the explorer's sort indexes — and the login
 * limiter's counters. Same table and index names; translation rules in pg-schema-core.ts.
 */
export const pgExplorerReadModelSql = `
CREATE TABLE node_labels (
  node_id ${t} NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  key ${t} NOT NULL,
  value ${t} NOT NULL,
  PRIMARY KEY (key, value, node_id)
);
CREATE INDEX node_labels_node ON node_labels(node_id);
INSERT INTO node_labels (node_id, key, value) SELECT n.id, j.key, j.value FROM nodes n, json_each_text(n.labels::json) j;
CREATE FUNCTION nodes_labels_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM node_labels WHERE node_id = NEW.id;
  END IF;
  INSERT INTO node_labels (node_id, key, value) SELECT NEW.id, j.key, j.value FROM json_each_text(NEW.labels::json) j;
  RETURN NULL;
END;
$$;
CREATE TRIGGER nodes_labels_insert AFTER INSERT ON nodes FOR EACH ROW EXECUTE FUNCTION nodes_labels_sync();
CREATE TRIGGER nodes_labels_update AFTER UPDATE OF labels ON nodes FOR EACH ROW WHEN (OLD.labels IS DISTINCT FROM NEW.labels) EXECUTE FUNCTION nodes_labels_sync();
CREATE INDEX lifecycle_status_age ON finding_lifecycle(last_status, (failing_since IS NULL), failing_since);
CREATE INDEX lifecycle_status_sla ON finding_lifecycle(last_status, (sla_due IS NULL), sla_due);
DROP INDEX lifecycle_rule;
CREATE INDEX lifecycle_rule_rank ON finding_lifecycle(rule, last_status, (${severityRankSql}), failing_since);
`

/** collector/auth/login-failures-schema.ts: times in milliseconds since the epoch. */
export const pgLoginFailuresSql = `
CREATE TABLE login_failures (
  key ${t} PRIMARY KEY,
  failures bigint NOT NULL,
  window_start bigint NOT NULL,
  locked_until bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX login_failures_expiry ON login_failures(expires_at);
`
