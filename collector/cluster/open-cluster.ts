import type { Logger } from 'pino'
import { PgStore } from '../store/pg/pg-store.js'
import type { Cluster, LocalSessions } from './cluster.js'
import { LocalCluster } from './local-cluster.js'
import { PgCluster, type PgClusterOptions } from './pg-cluster.js'

export type ClusterFactory = (sessions: LocalSessions, log: Logger) => Cluster

/**
 * The cluster that goes with the collector's store: PostgreSQL (several collectors may
 * share the database) or SQLite (one collector per database file: a cluster of one).
 */
export function clusterFor(store: object, databaseUrl: string | undefined, options: Partial<Pick<PgClusterOptions, 'heartbeatMs' | 'memberTtlMs' | 'leaseTtlMs'>> = {}): ClusterFactory {
  if (store instanceof PgStore && databaseUrl !== undefined) {
    const pool = store.pool
    return (sessions, log) => new PgCluster({ pool, url: databaseUrl, sessions, log, ...options })
  }
  return (sessions) => new LocalCluster(sessions)
}
