import type { Logger } from 'pino'
import { errorMessage } from '../../rules/posture-error.js'
import type { PgPool } from '../store/pg/pg-pool.js'
import type { AgentPresence } from './cluster.js'

/**
 * Where this collector's agents are connected, written to `cluster_agent_presence` in
 * batches: the latest state per agent (connected / last report / gone) every `everyMs`,
 * one statement each for upserts and deletes, then one notice so the others re-read.
 * 5,000 agents reconnecting after a collector dies cost a few statements, not 5,000.
 */
export class PresenceWrites {
  readonly #pool: PgPool
  readonly #collectorId: string
  readonly #log: Logger
  readonly #written: () => Promise<void>
  readonly #everyMs: number
  #pending = new Map<string, AgentPresence | null>()
  #timer: NodeJS.Timeout | null = null
  #flushing: Promise<void> | null = null

  constructor(pool: PgPool, collectorId: string, log: Logger, written: () => Promise<void>, everyMs = 50) {
    this.#pool = pool
    this.#collectorId = collectorId
    this.#log = log
    this.#written = written
    this.#everyMs = everyMs
  }

  /** The agent's presence now (null: disconnected from this collector). */
  put(agentId: string, presence: AgentPresence | null): void {
    this.#pending.set(agentId, presence)
    this.#timer ??= setTimeout(() => void this.flush(), this.#everyMs)
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await this.#flushing
    if (this.#pending.size === 0) return
    const batch = this.#pending
    this.#pending = new Map()
    this.#flushing = this.#write(batch).finally(() => (this.#flushing = null))
    await this.#flushing
  }

  async #write(batch: Map<string, AgentPresence | null>): Promise<void> {
    const up = [...batch.values()].filter((p): p is AgentPresence => p !== null)
    const gone = [...batch].filter(([, p]) => p === null).map(([id]) => id)
    try {
      if (up.length > 0) {
        await this.#pool.query(
          `INSERT INTO cluster_agent_presence (agent_id, collector_id, connected_at, last_report_at, interval_ms)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[])
           ON CONFLICT (agent_id) DO UPDATE SET collector_id = excluded.collector_id, connected_at = excluded.connected_at,
             last_report_at = excluded.last_report_at, interval_ms = excluded.interval_ms`,
          [up.map((p) => p.agentId), up.map(() => this.#collectorId), up.map((p) => p.connectedAt), up.map((p) => p.lastReportAt), up.map((p) => p.intervalMs)],
        )
      }
      // Only this collector's row: the agent may already be connected to another one.
      if (gone.length > 0) await this.#pool.query('DELETE FROM cluster_agent_presence WHERE agent_id = ANY($1::text[]) AND collector_id = $2', [gone, this.#collectorId])
      await this.#written()
    } catch (err) {
      this.#log.warn({ err: errorMessage(err), agents: batch.size }, 'could not record where agents are connected')
    }
  }

  async close(): Promise<void> {
    await this.flush()
  }
}
