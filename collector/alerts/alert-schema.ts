/**
 * Tables for alerts (issue 12). `webhooks` are the destinations (the secret signs each
 * body and is shown once, at creation). `alert_outbox` is durable: a message is written
 * in the same process turn that derives it and survives a restart until delivered or out
 * of attempts; `UNIQUE (webhook_id, dedupe_key)` makes a report seen twice, or a condition
 * seen by two sweeps, one message. `alert_deliveries` is the per-destination delivery log.
 * `alert_conditions` remembers which time-based conditions already fired (once each).
 * `alert_certificates` keeps each node's certificate expiry from its latest scan, so the
 * sweep never re-reads stored facts.
 */
export const alertsSql = `
CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('json', 'slack')),
  events TEXT NOT NULL,
  min_severity TEXT NOT NULL,
  secret TEXT NOT NULL,
  created_at TEXT NOT NULL,
  deleted_at TEXT
) STRICT;

CREATE TABLE alert_outbox (
  id INTEGER PRIMARY KEY,
  webhook_id INTEGER NOT NULL REFERENCES webhooks(id),
  dedupe_key TEXT NOT NULL,
  message_id TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  UNIQUE (webhook_id, dedupe_key)
) STRICT;
CREATE INDEX alert_outbox_due ON alert_outbox(next_attempt_at) WHERE status = 'pending';

CREATE TABLE alert_deliveries (
  id INTEGER PRIMARY KEY,
  outbox_id INTEGER NOT NULL REFERENCES alert_outbox(id),
  webhook_id INTEGER NOT NULL REFERENCES webhooks(id),
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
  http_status INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX alert_deliveries_webhook ON alert_deliveries(webhook_id, id);

CREATE TABLE alert_conditions (key TEXT PRIMARY KEY, fired_at TEXT NOT NULL) STRICT;

CREATE TABLE alert_certificates (
  node_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  target TEXT NOT NULL,
  subject TEXT NOT NULL,
  not_after TEXT NOT NULL,
  PRIMARY KEY (node_id, target)
) STRICT, WITHOUT ROWID;
`
