import { z } from 'zod'
import type Database from 'better-sqlite3'
import type { PinnedHostKey, PresentedHostKey } from '../../agent/host/known-hosts.js'
import { PostureError } from '../../rules/posture-error.js'
import type { HostKeyPins } from './scan-over-ssh.js'
import type { SshNode, SshNodeSpec } from './ssh-node-spec.js'
import type { HostKeyRecord, SshNodeStore } from './ssh-node-store.js'

/** For the dashboard's SSH nodes page (import type); the interface lives in ssh-node-store.ts. */
export type { HostKeyRecord } from './ssh-node-store.js'

type Db = Database.Database

const labelsColumn = z.record(z.string(), z.string())

/**
 * SSH nodes and pinned host keys in the collector's SQLite database (ssh-schema.ts).
 * Private keys are never stored: `key_ref` is a path on the collector's host or `agent`.
 */
export class SqliteSshNodes implements SshNodeStore {
  readonly #db: Db
  readonly #s

  constructor(db: Db) {
    this.#db = db
    this.#s = {
      insert: db.prepare(`INSERT INTO ssh_nodes (name, username, host, port, key_ref, sudo, labels, created_at)
        VALUES (@name, @username, @host, @port, @keyRef, @sudo, @labels, @createdAt)`),
      all: db.prepare<[], NodeRow>('SELECT * FROM ssh_nodes ORDER BY name'),
      one: db.prepare<[string], NodeRow>('SELECT * FROM ssh_nodes WHERE name = ?'),
      remove: db.prepare('DELETE FROM ssh_nodes WHERE name = ?'),
      scanned: db.prepare('UPDATE ssh_nodes SET node_id = coalesce(@nodeId, node_id), last_scan_at = @at, last_error = @error WHERE name = @name'),
      pin: db.prepare<[string], PinRow>('SELECT * FROM ssh_host_keys WHERE host_id = ?'),
      pins: db.prepare<[], PinRow>('SELECT * FROM ssh_host_keys ORDER BY host_id'),
      insertPin: db.prepare(`INSERT INTO ssh_host_keys (host_id, key_type, fingerprint, first_seen, last_verified)
        VALUES (@hostId, @keyType, @fingerprint, @firstSeen, @firstSeen) ON CONFLICT (host_id) DO NOTHING`),
      verified: db.prepare('UPDATE ssh_host_keys SET last_verified = ? WHERE host_id = ?'),
      refused: db.prepare('UPDATE ssh_host_keys SET refused_at = @at, refused_key_type = @keyType, refused_fingerprint = @fingerprint WHERE host_id = @hostId'),
      replacePin: db.prepare(`UPDATE ssh_host_keys SET key_type = @keyType, fingerprint = @fingerprint, first_seen = @at, last_verified = NULL,
        refused_at = NULL, refused_key_type = NULL, refused_fingerprint = NULL WHERE host_id = @hostId`),
      forgetPin: db.prepare('DELETE FROM ssh_host_keys WHERE host_id = ?'),
    }
  }

  /** Registers a node; an existing name is a BAD_INPUT error. */
  async add(spec: SshNodeSpec, now: Date): Promise<SshNode> {
    return this.#db.transaction(() => {
      if (this.#s.one.get(spec.name)) throw new PostureError('BAD_INPUT', `an SSH node named ${spec.name} already exists`)
      this.#s.insert.run({
        name: spec.name,
        username: spec.target.username,
        host: spec.target.host,
        port: spec.target.port,
        keyRef: spec.key,
        sudo: spec.sudo ? 1 : 0,
        labels: JSON.stringify(spec.labels),
        createdAt: now.toISOString(),
      })
      return toNode(this.#s.one.get(spec.name)!)
    }).immediate()
  }

  async list(): Promise<SshNode[]> {
    return this.#s.all.all().map(toNode)
  }

  async get(name: string): Promise<SshNode | null> {
    const row = this.#s.one.get(name)
    return row ? toNode(row) : null
  }

  /** Unregisters the node. Its pinned key stays (the host may be registered again). */
  async remove(name: string): Promise<boolean> {
    return this.#s.remove.run(name).changes > 0
  }

  /** After a scan attempt: the node id it reported (if any), when, and the error (null: none). */
  async recordScan(name: string, outcome: { nodeId: string | null; at: Date; error: string | null }): Promise<void> {
    this.#s.scanned.run({ name, nodeId: outcome.nodeId, at: outcome.at.toISOString(), error: outcome.error })
  }

  async hostKey(hostId: string): Promise<HostKeyRecord | null> {
    const row = this.#s.pin.get(hostId)
    return row ? toPin(row) : null
  }

  async hostKeys(): Promise<HostKeyRecord[]> {
    return this.#s.pins.all().map(toPin)
  }

  /** The pins as scanOverSsh reads and writes them: first use pins, a match is noted. */
  pins(clock: () => Date): HostKeyPins {
    return {
      get: async (id) => {
        const row = this.#s.pin.get(id)
        if (!row) return undefined
        this.#s.verified.run(clock().toISOString(), id)
        return { keyType: row.key_type, fingerprint: row.fingerprint, firstSeen: row.first_seen }
      },
      pin: async (id, key) => {
        this.#s.insertPin.run({ hostId: id, keyType: key.keyType, fingerprint: key.fingerprint, firstSeen: key.firstSeen })
      },
    }
  }

  /** A refused key, recorded beside the pin (which stays). */
  async recordRefused(hostId: string, presented: PresentedHostKey | null, at: Date): Promise<void> {
    this.#s.refused.run({ hostId, at: at.toISOString(), keyType: presented?.keyType ?? null, fingerprint: presented?.fingerprint ?? null })
  }

  /**
   * Replaces the pin with the last refused key, after a person checked it on the node's
   * console: `fingerprint` must be the refused one, so that trusting means what was seen.
   */
  async trustRefused(hostId: string, fingerprint: string, now: Date): Promise<PinnedHostKey> {
    return this.#db.transaction(() => {
      const row = this.#s.pin.get(hostId)
      if (!row) throw new PostureError('BAD_INPUT', `no host key is pinned for ${hostId}: the next scan pins the key it sees`)
      if (row.refused_fingerprint === null || row.refused_key_type === null) {
        throw new PostureError('BAD_INPUT', `no refused key is recorded for ${hostId}: the pinned ${row.key_type} ${row.fingerprint} is still the one in use`)
      }
      if (row.refused_fingerprint !== fingerprint) {
        throw new PostureError('BAD_INPUT', `${fingerprint} is not the key that was refused for ${hostId} (${row.refused_key_type} ${row.refused_fingerprint}); nothing changed`)
      }
      this.#s.replacePin.run({ hostId, keyType: row.refused_key_type, fingerprint: row.refused_fingerprint, at: now.toISOString() })
      return { keyType: row.refused_key_type, fingerprint: row.refused_fingerprint, firstSeen: now.toISOString() }
    }).immediate()
  }

  /** Drops the pin: the next scan trusts whatever key it meets (for a reinstalled host whose new key type differs). */
  async forgetHostKey(hostId: string): Promise<boolean> {
    return this.#s.forgetPin.run(hostId).changes > 0
  }
}

export interface NodeRow {
  name: string
  username: string
  host: string
  port: number
  key_ref: string
  sudo: number
  labels: string
  created_at: string
  node_id: string | null
  last_scan_at: string | null
  last_error: string | null
}

export interface PinRow {
  host_id: string
  key_type: string
  fingerprint: string
  first_seen: string
  last_verified: string | null
  refused_at: string | null
  refused_key_type: string | null
  refused_fingerprint: string | null
}

export function toNode(row: NodeRow): SshNode {
  return {
    name: row.name,
    target: { username: row.username, host: row.host, port: row.port },
    key: row.key_ref,
    sudo: row.sudo === 1,
    labels: labelsColumn.parse(JSON.parse(row.labels)),
    createdAt: row.created_at,
    nodeId: row.node_id,
    lastScanAt: row.last_scan_at,
    lastError: row.last_error,
  }
}

export function toPin(row: PinRow): HostKeyRecord {
  return {
    hostId: row.host_id,
    keyType: row.key_type,
    fingerprint: row.fingerprint,
    firstSeen: row.first_seen,
    lastVerified: row.last_verified,
    refused: row.refused_at ? { at: row.refused_at, keyType: row.refused_key_type, fingerprint: row.refused_fingerprint } : null,
  }
}
