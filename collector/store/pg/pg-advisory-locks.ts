/**
 * Every PostgreSQL advisory lock key Posture takes, in one table so that no two features
 * collide (keys are one bigint namespace per database). The high 32 bits spell "post";
 * add new keys here, never inline.
 */
const base = 0x706f7374n << 32n

export const pgAdvisoryLocks = {
  /** Held (session lock) while one collector brings the schema up to date; others wait. */
  migrations: String(base + 1n),
  /** Held (transaction lock) by each ingest batch: batches from all collectors commit one at a time. */
  ingest: String(base + 2n),
  /** Held (session lock) while one collector re-scores stale nodes (Cluster.exclusively('rescore')). */
  rescore: String(base + 3n),
} as const
