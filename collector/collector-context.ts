import type { EventEmitter } from 'node:events'
import type { CollectorConfig } from './collector-config.js'
import type { TlsIdentity } from './certificate/self-signed-cert.js'
import type { Authorize } from './http/api-auth.js'
import type { Backend } from './store/backend.js'
import type { Store } from './store/store.js'
import type { AgentGateway } from './ws/agent-gateway.js'
import type { ScoringState } from './agent-handlers.js'
import type { RescoreCause } from './rescore-cause.js'
import type { Cluster } from './cluster/cluster.js'

/**
 * Events the collector emits, for live views and alerts: `report` {nodeId, scanId}, `scan-requested` {nodeId, scanId}, `node-offline` {nodeId}, `node-online` {nodeId}.
 * With several collectors (collector/cluster/), events another collector emitted arrive with `remote: true`.
 */
export type CollectorEvents = {
  report: [{ nodeId: string; scanId: string; remote?: true }]
  /** Stored facts scored again (rules or waivers changed): a `rescore` entry in the node's history. */
  rescore: [{ nodeId: string; scanId: string; cause: RescoreCause; remote?: undefined } | { nodeId: string; scanId: string; cause?: undefined; remote: true }]
  'scan-requested': [{ nodeId: string; scanId: string; remote?: true }]
  'node-offline': [{ nodeId: string; remote?: true }]
  'node-online': [{ nodeId: string; remote?: true }]
  /** Rule files (or waivers) reloaded and changed: other collectors reload and push the pack to their agents (`collectorId`: who reloaded; none: a catch-up after missed notices). */
  'rules-reloaded': [{ version: string; collectorId?: string; remote?: true }]
}

/** What route modules are given: the parts, never globals. */
export interface CollectorContext {
  config: Readonly<CollectorConfig>
  store: Store
  gateway: AgentGateway
  tls: TlsIdentity | null
  authorize: Authorize
  /** Every store of the collector's database (accounts, audit, waivers, schedules, alerts, evidence, dashboard queries) for its backend. */
  backend: Backend
  scoring: () => ScoringState
  collectorVersion: string
  clock: () => Date
  events: EventEmitter<CollectorEvents>
  /** The other collectors on the same database (a cluster of one on SQLite): agent commands, presence, leases. */
  cluster: Cluster
  /** Is this node online now (agent connected and reporting)? */
  isOnline(nodeId: string, agentId: string | null, intervalMs: number | null, lastScanAt: string | null): boolean
}
