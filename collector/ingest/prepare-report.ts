import { buildReport } from '../../agent/scan.js'
import type { ReportMessage } from '../../agent/wire/messages.js'
import { isDomain, type Domain } from '../../rules/domains.js'
import { factsSchema } from '../../rules/facts/facts.js'
import { PostureError } from '../../rules/posture-error.js'
import type { RuleSet } from '../../rules/load-rules.js'
import { reportSchemaId, type Report } from '../../rules/report.js'
import { scoreNode } from '../../rules/scoring.js'
import { applyWaivers, type Waiver } from '../../rules/waivers.js'

/**
 * The collector's view of a report: scored with the collector's rules and waivers. When
 * the agent evaluated with the same rules version, its findings are kept and only
 * waivers and the score are (re)applied; otherwise the facts are evaluated again here, so
 * every node in the fleet is scored by the same rules. Pure.
 */
export interface ScoringContext {
  ruleSet: RuleSet
  waivers: readonly Waiver[]
  labels: Record<string, string>
  now: Date
}

export function reportFromMessage(message: ReportMessage): Report {
  const { v: _v, type: _type, seq: _seq, spoolDropped: _dropped, ...rest } = message
  return { schema: reportSchemaId, ...rest }
}

export function scoreReport(report: Report, context: ScoringContext): { report: Report; reevaluated: boolean } {
  if (report.rulesVersion !== context.ruleSet.version) return { report: reevaluate(report, context), reevaluated: true }
  const scope = { nodeId: report.node.id, labels: context.labels }
  const findings = context.waivers.length > 0 ? applyWaivers(report.findings, context.waivers, scope, context.now) : report.findings
  return { report: { ...report, findings, score: scoreNode(findings, context.ruleSet.scoring) }, reevaluated: false }
}

/**
 * Evaluates stored facts again with the current rules and waivers (re-scoring). Facts are
 * validated here, where they are evaluated (the wire only checks that they are an object):
 * throws PostureError BAD_INPUT naming the first invalid fact.
 */
export function reevaluate(report: Report, context: ScoringContext, scanId: string = report.scanId): Report {
  const domains = report.domains.filter(isDomain) as Domain[]
  const facts = factsSchema.safeParse(report.facts)
  if (!facts.success) {
    const issue = facts.error.issues[0]
    throw new PostureError('BAD_INPUT', `invalid facts at ${['facts', ...(issue?.path ?? []).map(String)].join('.')}: ${issue?.message ?? 'invalid'}`)
  }
  const rebuilt = buildReport(
    { facts: facts.data, factErrors: report.factErrors },
    {
      ruleSet: context.ruleSet,
      domains,
      // Rules see the time the facts were gathered, as on the agent.
      now: new Date(report.startedAt),
      labels: context.labels,
      scanId,
      source: report.source,
      startedAt: new Date(report.startedAt),
      finishedAt: new Date(report.finishedAt),
    },
  )
  // Waivers are judged at `now` (a waiver that expired since the scan no longer applies).
  const findings = applyWaivers(
    rebuilt.findings,
    context.waivers,
    { nodeId: report.node.id, labels: context.labels },
    context.now,
  )
  return { ...rebuilt, node: report.node, postureVersion: report.postureVersion, findings, score: scoreNode(findings, context.ruleSet.scoring) }
}
