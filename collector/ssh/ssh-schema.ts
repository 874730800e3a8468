/**
 * Tables for agentless scanning (issue 9): the SSH nodes (no private keys: a path on the
 * collector's host, or `agent`) and the pinned host keys, keyed like OpenSSH's known_hosts
 * (`host`, or `[host]:port`). A refused key is recorded beside the pin, never over it:
 * only `posture collector ssh-node trust` replaces a pin, after a person verified it.
 */
export const sshSql = `
CREATE TABLE ssh_nodes (
  name TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  host TEXT NOT NULL,
  port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  key_ref TEXT NOT NULL,
  sudo INTEGER NOT NULL DEFAULT 0,
  labels TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  node_id TEXT,
  last_scan_at TEXT,
  last_error TEXT
) STRICT;

CREATE TABLE ssh_host_keys (
  host_id TEXT PRIMARY KEY,
  key_type TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_verified TEXT,
  refused_at TEXT,
  refused_key_type TEXT,
  refused_fingerprint TEXT
) STRICT;
`
