import type { Logger } from 'pino'
import { protocolVersion, type RulesMessage } from '../agent/wire/messages.js'
import type { RuleSet } from '../rules/load-rules.js'
import type { Waiver } from '../rules/waivers.js'
import { PostureError } from '../rules/posture-error.js'
import { IngestQueue } from './ingest/ingest-queue.js'
import { reportFromMessage, scoreReport } from './ingest/prepare-report.js'
import type { Store } from './store/store.js'
import type { SessionHandlers } from './ws/agent-session.js'

/**
 * What the collector does with each agent message (the gateway's dispatch table):
 * `hello` → `welcome` (+ the rule pack when the agent's differs); `report` → scored with
 * the collector's rules and waivers, stored in the next group commit, then `ack`.
 */
export interface ScoringState {
  ruleSet: RuleSet
  waivers: readonly Waiver[]
  waiversVersion: number
  /** The user rule files pushed to agents (empty: built-in rules only). */
  rulesPack: RulesMessage | null
}

export function scoredWith(state: ScoringState): string {
  return `${state.ruleSet.version}|w${state.waiversVersion}`
}

export function createAgentHandlers(deps: {
  store: Store
  queue: IngestQueue
  /** Records last seen / version / interval (batched by the gateway). */
  touch: (agentId: string, seen: { lastSeen: string; agentVersion?: string; hostname?: string; intervalMs?: number }) => void
  scoring: () => ScoringState
  collectorVersion: string
  heartbeatMs: number
  clock: () => Date
  log: Logger
}): SessionHandlers {
  return {
    async hello(session, message) {
      session.intervalMs = message.intervalMs
      session.agentVersion = message.agentVersion
      session.rulesVersion = message.rulesVersion
      const state = deps.scoring()
      session.send({ v: protocolVersion, type: 'welcome', agentId: session.agent.id, collectorVersion: deps.collectorVersion, rulesVersion: state.ruleSet.version, heartbeatMs: deps.heartbeatMs })
      if (state.rulesPack && message.rulesVersion !== state.ruleSet.version) session.send(state.rulesPack)
      if (message.spool.dropped > 0) session.log.warn({ dropped: message.spool.dropped, pending: message.spool.pending }, 'agent spool dropped reports')
      deps.touch(session.agent.id, {
        lastSeen: deps.clock().toISOString(),
        agentVersion: message.agentVersion,
        hostname: message.hostname,
        intervalMs: message.intervalMs,
      })
    },

    async report(session, message) {
      const now = deps.clock()
      const state = deps.scoring()
      let scored: ReturnType<typeof scoreReport>
      try {
        scored = scoreReport(reportFromMessage(message), { ruleSet: state.ruleSet, waivers: state.waivers, labels: session.agent.labels, now })
      } catch (err) {
        // Facts are validated when evaluated (agentMessageIngestSchema): invalid ones are the agent's fault, not ours.
        if (err instanceof PostureError && err.code === 'BAD_INPUT') return session.reject('BAD_MESSAGE', `report ${message.scanId}: ${err.message}`)
        throw err
      }
      const { report, reevaluated } = scored
      const result = await deps.queue.submit({
        kind: 'scan',
        agentId: session.agent.id,
        seq: message.seq,
        report,
        agentRulesVersion: reevaluated ? message.rulesVersion : null,
        scoredWith: scoredWith(state),
        receivedAt: now,
        labels: session.agent.labels,
        agentVersion: session.agentVersion,
      })
      if (result.status === 'failed') throw new Error(`storing report ${message.scanId} failed: ${result.error}`)
      session.nodeIds.add(report.node.id)
      session.lastReportAt = now.getTime()
      session.send({ v: protocolVersion, type: 'ack', scanId: message.scanId, duplicate: result.status === 'duplicate' })
      session.log.debug({ scanId: message.scanId, seq: message.seq, duplicate: result.status === 'duplicate', nodeId: report.node.id }, 'report acked')
    },

    async 'rules-status'(session, message) {
      if (message.ok) session.log.info({ version: message.version }, 'agent applied the rule pack')
      else session.log.warn({ version: message.version, error: message.error }, 'agent refused the rule pack')
    },

    async 'scan-failed'(session, message) {
      session.log.warn({ scanId: message.scanId, error: message.error }, 'agent scan failed')
    },
  }
}
