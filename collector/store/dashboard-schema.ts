/**
 * The dashboard's read models (issue 10). Daily scores are kept up to date by a trigger
 * on `scans`, so the fleet trend reads a few dozen rows instead of every scan of 90 days:
 * `fleet_daily_scores` holds, per UTC day, the sum and count of each node's last score that
 * day (the trigger replaces a node's earlier score of the same day). Indexes serve the
 * overview's lists and the findings explorer's sorts without scanning the lifecycle table.
 */
export const severityRankSql = `CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END`

export const dashboardReadModelSql = `
CREATE TABLE node_daily_scores (
  node_id TEXT NOT NULL,
  day TEXT NOT NULL,
  score REAL NOT NULL,
  PRIMARY KEY (node_id, day)
) STRICT, WITHOUT ROWID;
CREATE TABLE fleet_daily_scores (
  day TEXT PRIMARY KEY,
  score_sum REAL NOT NULL,
  nodes INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TRIGGER scans_daily_score AFTER INSERT ON scans WHEN NEW.score IS NOT NULL
BEGIN
  INSERT INTO fleet_daily_scores (day, score_sum, nodes) VALUES (substr(NEW.received_at, 1, 10), 0, 0) ON CONFLICT (day) DO NOTHING;
  UPDATE fleet_daily_scores SET
    score_sum = score_sum + NEW.score - coalesce((SELECT score FROM node_daily_scores WHERE node_id = NEW.node_id AND day = substr(NEW.received_at, 1, 10)), 0),
    nodes = nodes + (SELECT count(*) = 0 FROM node_daily_scores WHERE node_id = NEW.node_id AND day = substr(NEW.received_at, 1, 10))
  WHERE day = substr(NEW.received_at, 1, 10);
  INSERT INTO node_daily_scores (node_id, day, score) VALUES (NEW.node_id, substr(NEW.received_at, 1, 10), NEW.score)
    ON CONFLICT (node_id, day) DO UPDATE SET score = excluded.score;
END;
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
