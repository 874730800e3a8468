import { severityRankSql } from './dashboard-schema.js'

/**
 * Migration 6, the findings explorer's read model (issue 10): what it filters and sorts
 * on, kept up to date at ingest, so that a page of the explorer reads about as many index
 * entries as it returns rows, at 10,000 nodes and a million findings.
 *
 * - `node_labels`: one row per node label, kept from `nodes.labels` by triggers (a label
 *   filter is an index lookup instead of parsing every node's labels JSON per finding).
 * - `lifecycle_status_age`, `lifecycle_status_sla`: the "oldest failure" and "SLA due"
 *   sorts within a status, in index order (the NULL-last flag is part of the key).
 * - `lifecycle_rule_rank` replaces `lifecycle_rule`: a rule's findings already in severity
 *   order, covering what the explorer selects from it.
 *
 * PostgreSQL mirrors these (collector/store/pg/): same table and index names.
 */
const labelRowsSql = (node: string) => `INSERT INTO node_labels (node_id, key, value) SELECT ${node}.id, j.key, CAST(j.value AS TEXT) FROM json_each(${node}.labels) j`

export const explorerReadModelSql = `
CREATE TABLE node_labels (
  node_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (key, value, node_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX node_labels_node ON node_labels(node_id);
INSERT INTO node_labels (node_id, key, value) SELECT n.id, j.key, CAST(j.value AS TEXT) FROM nodes n, json_each(n.labels) j;
CREATE TRIGGER nodes_labels_insert AFTER INSERT ON nodes
BEGIN
  ${labelRowsSql('NEW')};
END;
CREATE TRIGGER nodes_labels_update AFTER UPDATE OF labels ON nodes WHEN OLD.labels IS NOT NEW.labels
BEGIN
  DELETE FROM node_labels WHERE node_id = NEW.id;
  ${labelRowsSql('NEW')};
END;
CREATE INDEX lifecycle_status_age ON finding_lifecycle(last_status, (failing_since IS NULL), failing_since);
CREATE INDEX lifecycle_status_sla ON finding_lifecycle(last_status, (sla_due IS NULL), sla_due);
DROP INDEX lifecycle_rule;
CREATE INDEX lifecycle_rule_rank ON finding_lifecycle(rule, last_status, (${severityRankSql}), failing_since);
`
