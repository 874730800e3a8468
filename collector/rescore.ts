import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { errorMessage } from '../rules/posture-error.js'
import { reevaluate } from './ingest/prepare-report.js'
import type { IngestQueue } from './ingest/ingest-queue.js'
import { scoredWith, type ScoringState } from './agent-handlers.js'
import type { Store } from './store/store.js'
import { rescoreCause, type RescoreCause } from './rescore-cause.js'

/**
 * Re-scoring (rules changed, a waiver came or went): every node whose score was computed
 * with other rules or waivers gets its latest facts evaluated again, stored as a `rescore`
 * entry in its history — no waiting for the next scan. `rescored` hears of each stored entry
 * with its cause (alerts raise the events a scan would). Returns how many nodes were re-scored.
 */
export async function rescoreStaleNodes(deps: {
  store: Store
  queue: IngestQueue
  state: ScoringState
  now: Date
  log: Logger
  batchSize?: number
  rescored?: (entry: { nodeId: string; scanId: string; cause: RescoreCause }) => void
}): Promise<number> {
  const target = scoredWith(deps.state)
  let done = 0
  const failed = new Set<string>()
  for (;;) {
    const batch = (await deps.store.nodesToRescore(target, (deps.batchSize ?? 100) + failed.size)).filter((n) => !failed.has(n.nodeId))
    if (batch.length === 0) return done
    await Promise.all(
      batch.map(async (node) => {
        try {
          const report = reevaluate(node.latest, { ruleSet: deps.state.ruleSet, waivers: deps.state.waivers, labels: node.labels, now: deps.now }, `rescore-${randomUUID()}`)
          const result = await deps.queue.submit({
            kind: 'rescore', agentId: node.agentId, seq: null, report, agentRulesVersion: null, scoredWith: target,
            receivedAt: deps.now, labels: node.labels, agentVersion: node.agentVersion,
          })
          if (result.status === 'failed') throw new Error(result.error)
          done++
          deps.rescored?.({ nodeId: node.nodeId, scanId: report.scanId, cause: rescoreCause(node.latest, report, deps.state.waivers, deps.now) })
        } catch (err) {
          failed.add(node.nodeId)
          deps.log.error({ nodeId: node.nodeId, err: errorMessage(err) }, 'rescoring a node failed')
        }
      }),
    )
  }
}
