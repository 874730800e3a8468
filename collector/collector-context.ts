import type { EventEmitter } from 'node:events'
import type { CollectorConfig } from './collector-config.js'
import type { TlsIdentity } from './certificate/self-signed-cert.js'
import type { Authorize } from './http/api-auth.js'
import type { Store } from './store/store.js'
import type { AgentGateway } from './ws/agent-gateway.js'
import type { ScoringState } from './agent-handlers.js'
import type { RescoreCause } from './rescore-cause.js'

/** Events the collector emits, for live views and alerts: `report` {nodeId, scanId}, `rescore` {nodeId, scanId, cause}, `scan-requested` {nodeId, scanId}, `node-offline` {nodeId}, `node-online` {nodeId}. */
export type CollectorEvents = {
  report: [{ nodeId: string; scanId: string }]
  /** Stored facts scored again (rules or waivers changed): a `rescore` entry in the node's history. */
  rescore: [{ nodeId: string; scanId: string; cause: RescoreCause }]
  'scan-requested': [{ nodeId: string; scanId: string }]
  'node-offline': [{ nodeId: string }]
  'node-online': [{ nodeId: string }]
}

/** What route modules are given: the parts, never globals. */
export interface CollectorContext {
  config: Readonly<CollectorConfig>
  store: Store
  gateway: AgentGateway
  tls: TlsIdentity | null
  authorize: Authorize
  scoring: () => ScoringState
  collectorVersion: string
  clock: () => Date
  events: EventEmitter<CollectorEvents>
  /** Is this node online now (agent connected and reporting)? */
  isOnline(nodeId: string, agentId: string | null, intervalMs: number | null, lastScanAt: string | null): boolean
}
