import { randomUUID } from 'node:crypto'
import { protocolVersion, type CollectorMessage } from '../../agent/wire/messages.js'
import { domains as allDomains } from '../../rules/domains.js'
import type { NodeSummary } from '../store/store.js'
import type { ScanExecutor, ScanOutcome } from './scan-executor.js'
import type { Candidate } from './select-targets.js'

/** A stored report or a requested scan (the collector's `report` and `scan-requested` events). */
export interface ScanEvent {
  nodeId: string
  scanId: string
}

export interface AgentExecutorDeps {
  listNodes(): Promise<NodeSummary[]>
  /** Sends to a connected agent (on any collector of the cluster); false when it is not connected. */
  send(agentId: string, message: CollectorMessage): boolean | Promise<boolean>
  /** Calls `listener` for every stored report until the returned function is called. */
  subscribeReports(listener: (report: ScanEvent) => void): () => void
  /** Announces a requested scan (live views). */
  scanRequested(scan: ScanEvent): void
  /** How long an agent has to deliver the report of a requested scan. */
  reportTimeoutMs: number
}

/**
 * Schedules' `agent` mode: asks each target node's agent for a scan (the wire protocol's
 * `scan {scanId, only}`) and waits for the report with that scan id to be stored. A node
 * without a connected agent, or whose report does not come in time, is a failure of the
 * run with that reason.
 */
export function createAgentExecutor(deps: AgentExecutorDeps): ScanExecutor {
  const agents = new Map<string, string>()
  return {
    unknownTarget: 'no node with this id or host name has an agent',
    async candidates(): Promise<Candidate[]> {
      const nodes = (await deps.listNodes()).filter((n) => n.agentId !== null)
      for (const n of nodes) agents.set(n.id, n.agentId!)
      return nodes.map((n) => ({ id: n.id, name: n.hostname, labels: n.labels }))
    },
    async scan(target, request): Promise<ScanOutcome> {
      const agentId = agents.get(target.id)
      if (agentId === undefined) return { ok: false, reason: 'the node has no agent' }
      const scanId = randomUUID()
      const only = request.domains.length === allDomains.length ? {} : { only: [...request.domains] }
      const report = waitForReport(deps.subscribeReports, scanId, deps.reportTimeoutMs, request.signal)
      if (!(await deps.send(agentId, { v: protocolVersion, type: 'scan', scanId, ...only }))) {
        report.cancel()
        return { ok: false, reason: 'its agent is not connected' }
      }
      deps.scanRequested({ nodeId: target.id, scanId })
      const outcome = await report.outcome
      if (outcome === 'stored') return { ok: true, nodeId: target.id, scanId }
      return { ok: false, reason: outcome === 'timeout' ? `the agent sent no report within ${deps.reportTimeoutMs} ms` : 'the collector stopped before the report came' }
    },
  }
}

/** Listens for the report before the request is sent, so a fast agent cannot be missed. */
function waitForReport(subscribe: AgentExecutorDeps['subscribeReports'], scanId: string, timeoutMs: number, signal: AbortSignal) {
  let cancel = (): void => {}
  const outcome = new Promise<'stored' | 'timeout' | 'aborted'>((resolve) => {
    const done = (result: 'stored' | 'timeout' | 'aborted'): void => {
      clearTimeout(timer)
      unsubscribe()
      signal.removeEventListener('abort', onAbort)
      resolve(result)
    }
    const onAbort = (): void => done('aborted')
    const timer = setTimeout(() => done('timeout'), timeoutMs)
    const unsubscribe = subscribe((report) => {
      if (report.scanId === scanId) done('stored')
    })
    signal.addEventListener('abort', onAbort, { once: true })
    cancel = () => done('aborted')
  })
  return { outcome, cancel: () => cancel() }
}
