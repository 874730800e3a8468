import { z } from 'zod'
import type { Finding, Status } from './finding.js'
import { severitySchema, type Severity } from './severity.js'

export const gradeSchema = z.enum(['A', 'B', 'C', 'D', 'F'])
export type Grade = z.infer<typeof gradeSchema>

/** rules/scoring.yaml: weights, grade thresholds, critical cap and SLAs, as data. */
export const scoringPolicySchema = z
  .object({
    weights: z.record(severitySchema, z.number().min(0)),
    grades: z.array(z.object({ grade: gradeSchema, min: z.number() }).strict()).min(1),
    criticalFailureCap: gradeSchema,
    sla: z.partialRecord(
      severitySchema,
      z.union([z.object({ businessDays: z.number().int().positive() }).strict(), z.object({ days: z.number().int().positive() }).strict()]),
    ),
  })
  .strict()
export type ScoringPolicy = z.infer<typeof scoringPolicySchema>

export const scoreSummarySchema = z.object({
  /** 0–100, one decimal; null when nothing was evaluated. */
  score: z.number().nullable(),
  grade: gradeSchema.nullable(),
  /** evaluated / (evaluated + error), 0–1; null when there was nothing to evaluate. */
  coverage: z.number().nullable(),
  /** The score if every waiver were lifted. */
  scoreWithoutWaivers: z.number().nullable(),
  gradeWithoutWaivers: gradeSchema.nullable(),
  counts: z.object({ pass: z.number(), fail: z.number(), error: z.number(), na: z.number(), waived: z.number() }),
})
export type ScoreSummary = z.infer<typeof scoreSummarySchema>

export const nodeScoreSchema = scoreSummarySchema.extend({
  domains: z.record(z.string(), scoreSummarySchema),
  /** Keyed `framework:control`, e.g. `soc2:CC6.7`. */
  controls: z.record(z.string(), scoreSummarySchema),
})
export type NodeScore = z.infer<typeof nodeScoreSchema>

type Scorable = Pick<Finding, 'severity' | 'status' | 'waiver'>

/** Score, grade and coverage of a set of findings (DESIGN.md, "Scoring"). */
export function summarize(findings: readonly Scorable[], policy: ScoringPolicy): ScoreSummary {
  const counts = { pass: 0, fail: 0, error: 0, na: 0, waived: 0 }
  for (const f of findings) counts[f.status]++
  const withWaivers = weightedScore(findings, policy, (f) => f.status)
  const withoutWaivers = weightedScore(findings, policy, (f) => (f.status === 'waived' && f.waiver ? f.waiver.waivedStatus : f.status))
  const evaluated = counts.pass + counts.fail + counts.waived
  const coverage = evaluated + counts.error === 0 ? null : round(evaluated / (evaluated + counts.error), 3)
  const criticalFail = (statusOf: (f: Scorable) => Status) =>
    findings.some((f) => f.severity === 'critical' && statusOf(f) === 'fail')
  return {
    score: withWaivers,
    grade: grade(withWaivers, criticalFail((f) => f.status), policy),
    coverage,
    scoreWithoutWaivers: withoutWaivers,
    gradeWithoutWaivers: grade(
      withoutWaivers,
      criticalFail((f) => (f.status === 'waived' && f.waiver ? f.waiver.waivedStatus : f.status)),
      policy,
    ),
    counts,
  }
}

/** The node's score, and the same per domain and per framework control. */
export function scoreNode(findings: readonly Finding[], policy: ScoringPolicy): NodeScore {
  const byDomain = groupBy(findings, (f) => [f.domain])
  const byControl = groupBy(findings, (f) =>
    Object.entries(f.controls).flatMap(([framework, ids]) => ids.map((id) => `${framework}:${id}`)),
  )
  return {
    ...summarize(findings, policy),
    domains: mapValues(byDomain, (group) => summarize(group, policy)),
    controls: mapValues(byControl, (group) => summarize(group, policy)),
  }
}

/** The grade for a score: the first threshold it reaches, capped after a critical failure. */
export function grade(score: number | null, hasCriticalFailure: boolean, policy: ScoringPolicy): Grade | null {
  if (score === null) return null
  const earned = policy.grades.find((g) => score >= g.min)?.grade ?? 'F'
  if (!hasCriticalFailure) return earned
  const order = gradeSchema.options
  return order.indexOf(earned) < order.indexOf(policy.criticalFailureCap) ? policy.criticalFailureCap : earned
}

function weightedScore(findings: readonly Scorable[], policy: ScoringPolicy, statusOf: (f: Scorable) => Status): number | null {
  let passed = 0
  let total = 0
  let evaluated = 0
  for (const f of findings) {
    const status = statusOf(f)
    if (status !== 'pass' && status !== 'fail') continue
    evaluated++
    const w = weight(f.severity, policy)
    total += w
    if (status === 'pass') passed += w
  }
  if (evaluated === 0) return null
  // Only info findings evaluated: nothing weighs, so there is nothing to score.
  if (total === 0) return null
  return round((100 * passed) / total, 1)
}

function weight(severity: Severity, policy: ScoringPolicy): number {
  return policy.weights[severity] ?? 0
}

function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

function groupBy<T>(items: readonly T[], keys: (item: T) => string[]): Record<string, T[]> {
  const groups: Record<string, T[]> = {}
  for (const item of items) for (const key of keys(item)) (groups[key] ??= []).push(item)
  return groups
}

function mapValues<T, U>(record: Record<string, T>, fn: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]))
}
