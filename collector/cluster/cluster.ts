import type { EventEmitter } from 'node:events'
import type { CollectorMessage } from '../../agent/wire/messages.js'
import type { CollectorEvents } from '../collector-context.js'

/**
 * The seam between one collector and the others that share its database (DESIGN.md,
 * "Beyond one machine"). Two implementations: `LocalCluster` (SQLite, one collector:
 * everything is in this process) and `PgCluster` (several collectors on one PostgreSQL:
 * LISTEN/NOTIFY for events and agent commands, rows for presence, leases and claims).
 * No clustering of our own: PostgreSQL is the only thing the collectors share.
 */

/** The cluster-wide locks (`Cluster.exclusively`). */
export type ClusterLockName = 'rescore'

/** An agent's connection, on this collector or another one. */
export interface AgentPresence {
  agentId: string
  /** The collector holding the WebSocket session. */
  collectorId: string
  connectedAt: number
  lastReportAt: number | null
  intervalMs: number | null
}

/** What the cluster needs to know of a local agent session (an `AgentSession` fits). */
export interface SessionView {
  agent: { id: string }
  connectedAt: number
  lastReportAt: number | null
  intervalMs: number | null
}

export interface Cluster {
  /** This collector's id in the cluster (logs, presence rows, lease holder). */
  readonly collectorId: string
  /**
   * The collector's events, cluster-wide: what this collector emits is published to the
   * others; what another collector emitted arrives here with `remote: true` (listeners that
   * must act once per event — alerts — skip those).
   */
  readonly events: EventEmitter<CollectorEvents>
  /** Joins the cluster: listens, announces this collector, takes part in the lease. */
  start(): Promise<void>
  /**
   * Sends a message to an agent wherever it is connected: through the local session, or
   * through the collector holding it. False when it is connected nowhere, or its collector
   * did not confirm delivery in time.
   */
  sendToAgent(agentId: string, message: CollectorMessage): Promise<boolean>
  /** The agent's connection on any collector; undefined when it is connected nowhere. */
  presence(agentId: string): AgentPresence | undefined
  /** The gateway's and handlers' hooks: a local session opened, reported (hello, report), closed. */
  sessionOpened(session: SessionView): void
  sessionSeen(session: SessionView): void
  sessionClosed(session: SessionView): void
  /**
   * True for exactly one caller in the whole cluster per (name, key), ever: the first to
   * claim it (a scheduled scan's firing: name `schedule`, key `<id>@<slot>`).
   */
  claimOnce(name: string, key: string): Promise<boolean>
  /**
   * Runs `job` holding the cluster-wide lock `name`: one collector at a time, the others
   * wait; released when the job ends or its collector dies. Re-scoring takes `rescore`: two
   * collectors re-scoring at once (both reloaded, a waiver seen by each) would store every
   * stale node twice; the second finds nothing left to do.
   */
  exclusively<T>(name: ClusterLockName, job: () => Promise<T>): Promise<T>
  /**
   * Is this collector the one that runs the once-per-cluster jobs now (liveness sweeper,
   * backups, alert sweeps, domain checks)? A lease in the database; always true alone.
   */
  leads(): boolean
  /** How many other collectors are alive on the same database (as last seen; 0 alone). */
  peers(): number
  /**
   * The ids of the collectors alive on the database now, this one included: read fresh, a
   * collector whose heartbeat is older than the member TTL is gone (the server's clock).
   * What scheduled runs are checked against: a run whose collector is gone will never end.
   */
  liveMembers(): Promise<string[]>
  close(): Promise<void>
}

/** Runs `job` only on the collector that leads the cluster (see `Cluster.leads`). */
export function onLeader<A extends unknown[]>(cluster: Pick<Cluster, 'leads'>, job: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    if (cluster.leads()) job(...args)
  }
}

/** This collector's own agent sessions (the `AgentGateway` fits). */
export interface LocalSessions {
  session(agentId: string): (SessionView & { send(message: CollectorMessage): void }) | undefined
}

/** A local session as a presence record. */
export function presenceOf(session: SessionView, collectorId: string): AgentPresence {
  return { agentId: session.agent.id, collectorId, connectedAt: session.connectedAt, lastReportAt: session.lastReportAt, intervalMs: session.intervalMs }
}
