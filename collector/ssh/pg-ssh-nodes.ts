import type { PinnedHostKey, PresentedHostKey } from '../../agent/host/known-hosts.js'
import { PostureError } from '../../rules/posture-error.js'
import type { PgPool } from '../store/pg/pg-pool.js'
import { withPgTransaction } from '../store/pg/pg-transaction.js'
import type { HostKeyPins } from './scan-over-ssh.js'
import type { SshNode, SshNodeSpec } from './ssh-node-spec.js'
import type { HostKeyRecord, SshNodeStore } from './ssh-node-store.js'
import { toNode, toPin, type NodeRow, type PinRow } from './sqlite-ssh-nodes.js'

/**
 * SSH nodes and pinned host keys on PostgreSQL (same tables and rows as SQLite). A first
 * pin is `ON CONFLICT DO NOTHING`: two collectors meeting a new host at once keep one pin.
 */
export class PgSshNodes implements SshNodeStore {
  readonly #pool: PgPool

  constructor(pool: PgPool) {
    this.#pool = pool
  }

  async add(spec: SshNodeSpec, now: Date): Promise<SshNode> {
    try {
      const { rows } = await this.#pool.query<NodeRow>(
        `INSERT INTO ssh_nodes (name, username, host, port, key_ref, sudo, labels, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [spec.name, spec.target.username, spec.target.host, spec.target.port, spec.key, spec.sudo ? 1 : 0, JSON.stringify(spec.labels), now.toISOString()],
      )
      return toNode(rows[0]!)
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new PostureError('BAD_INPUT', `an SSH node named ${spec.name} already exists`)
      throw err
    }
  }

  async list(): Promise<SshNode[]> {
    return (await this.#pool.query<NodeRow>('SELECT * FROM ssh_nodes ORDER BY name')).rows.map(toNode)
  }

  async get(name: string): Promise<SshNode | null> {
    const { rows } = await this.#pool.query<NodeRow>('SELECT * FROM ssh_nodes WHERE name = $1', [name])
    return rows[0] ? toNode(rows[0]) : null
  }

  async remove(name: string): Promise<boolean> {
    return ((await this.#pool.query('DELETE FROM ssh_nodes WHERE name = $1', [name])).rowCount ?? 0) > 0
  }

  async recordScan(name: string, outcome: { nodeId: string | null; at: Date; error: string | null }): Promise<void> {
    await this.#pool.query('UPDATE ssh_nodes SET node_id = coalesce($2, node_id), last_scan_at = $3, last_error = $4 WHERE name = $1', [
      name, outcome.nodeId, outcome.at.toISOString(), outcome.error,
    ])
  }

  async hostKey(hostId: string): Promise<HostKeyRecord | null> {
    const { rows } = await this.#pool.query<PinRow>('SELECT * FROM ssh_host_keys WHERE host_id = $1', [hostId])
    return rows[0] ? toPin(rows[0]) : null
  }

  async hostKeys(): Promise<HostKeyRecord[]> {
    return (await this.#pool.query<PinRow>('SELECT * FROM ssh_host_keys ORDER BY host_id')).rows.map(toPin)
  }

  pins(clock: () => Date): HostKeyPins {
    return {
      get: async (id) => {
        // Notes the verification and reads the pin in one statement.
        const { rows } = await this.#pool.query<PinRow>('UPDATE ssh_host_keys SET last_verified = $2 WHERE host_id = $1 RETURNING *', [id, clock().toISOString()])
        const row = rows[0]
        return row ? { keyType: row.key_type, fingerprint: row.fingerprint, firstSeen: row.first_seen } : undefined
      },
      pin: async (id, key) => {
        await this.#pool.query(
          `INSERT INTO ssh_host_keys (host_id, key_type, fingerprint, first_seen, last_verified) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (host_id) DO NOTHING`,
          [id, key.keyType, key.fingerprint, key.firstSeen],
        )
      },
    }
  }

  async recordRefused(hostId: string, presented: PresentedHostKey | null, at: Date): Promise<void> {
    await this.#pool.query('UPDATE ssh_host_keys SET refused_at = $2, refused_key_type = $3, refused_fingerprint = $4 WHERE host_id = $1', [
      hostId, at.toISOString(), presented?.keyType ?? null, presented?.fingerprint ?? null,
    ])
  }

  async trustRefused(hostId: string, fingerprint: string, now: Date): Promise<PinnedHostKey> {
    return withPgTransaction(this.#pool, async (client) => {
      const row = (await client.query<PinRow>('SELECT * FROM ssh_host_keys WHERE host_id = $1 FOR UPDATE', [hostId])).rows[0]
      if (!row) throw new PostureError('BAD_INPUT', `no host key is pinned for ${hostId}: the next scan pins the key it sees`)
      if (row.refused_fingerprint === null || row.refused_key_type === null) {
        throw new PostureError('BAD_INPUT', `no refused key is recorded for ${hostId}: the pinned ${row.key_type} ${row.fingerprint} is still the one in use`)
      }
      if (row.refused_fingerprint !== fingerprint) {
        throw new PostureError('BAD_INPUT', `${fingerprint} is not the key that was refused for ${hostId} (${row.refused_key_type} ${row.refused_fingerprint}); nothing changed`)
      }
      await client.query(
        `UPDATE ssh_host_keys SET key_type = $2, fingerprint = $3, first_seen = $4, last_verified = NULL,
         refused_at = NULL, refused_key_type = NULL, refused_fingerprint = NULL WHERE host_id = $1`,
        [hostId, row.refused_key_type, row.refused_fingerprint, now.toISOString()],
      )
      return { keyType: row.refused_key_type, fingerprint: row.refused_fingerprint, firstSeen: now.toISOString() }
    })
  }

  async forgetHostKey(hostId: string): Promise<boolean> {
    return ((await this.#pool.query('DELETE FROM ssh_host_keys WHERE host_id = $1', [hostId])).rowCount ?? 0) > 0
  }
}
