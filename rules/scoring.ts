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
  const tally = new Tally()
  for (const f of findings) tally.add(f, policy)
  return tally.summary(policy)
}

/**
 * The node's score, and the same per domain and per framework control. One pass over the
 * findings, each added to the running tallies of its domain and its controls (re-scoring
 * every report at ingest makes this a per-report cost; see collector-ingest.bench).
 */
export function scoreNode(findings: readonly Finding[], policy: ScoringPolicy): NodeScore {
  const node = new Tally()
  const domains: Record<string, Tally> = {}
  const controls: Record<string, Tally> = {}
  for (const f of findings) {
    node.add(f, policy)
    ;(domains[f.domain] ??= new Tally()).add(f, policy)
    for (const framework in f.controls) for (const id of f.controls[framework]!) (controls[`${framework}:${id}`] ??= new Tally()).add(f, policy)
  }
  return { ...node.summary(policy), domains: mapValues(domains, (t) => t.summary(policy)), controls: mapValues(controls, (t) => t.summary(policy)) }
}

/** Running totals of one group of findings: what its ScoreSummary needs, without keeping the findings. */
class Tally {
  readonly counts = { pass: 0, fail: 0, error: 0, na: 0, waived: 0 }
  /** As scored (waived findings left out), and as if every waiver were lifted. */
  readonly #withWaivers = { passed: 0, total: 0, evaluated: 0, criticalFail: false }
  readonly #withoutWaivers = { passed: 0, total: 0, evaluated: 0, criticalFail: false }

  add(f: Scorable, policy: ScoringPolicy): void {
    this.counts[f.status]++
    const w = weight(f.severity, policy)
    addWeighted(this.#withWaivers, f.status, f.severity, w)
    addWeighted(this.#withoutWaivers, f.status === 'waived' && f.waiver ? f.waiver.waivedStatus : f.status, f.severity, w)
  }

  summary(policy: ScoringPolicy): ScoreSummary {
    const { counts } = this
    const evaluated = counts.pass + counts.fail + counts.waived
    const score = weightedScore(this.#withWaivers)
    const scoreWithoutWaivers = weightedScore(this.#withoutWaivers)
    return {
      score,
      grade: grade(score, this.#withWaivers.criticalFail, policy),
      coverage: evaluated + counts.error === 0 ? null : round(evaluated / (evaluated + counts.error), 3),
      scoreWithoutWaivers,
      gradeWithoutWaivers: grade(scoreWithoutWaivers, this.#withoutWaivers.criticalFail, policy),
      counts: { ...counts },
    }
  }
}

type Weighted = { passed: number; total: number; evaluated: number; criticalFail: boolean }

function addWeighted(into: Weighted, status: Status, severity: Severity, w: number): void {
  if (severity === 'critical' && status === 'fail') into.criticalFail = true
  if (status !== 'pass' && status !== 'fail') return
  into.evaluated++
  into.total += w
  if (status === 'pass') into.passed += w
}

/** The grade for a score: the first threshold it reaches, capped after a critical failure. */
export function grade(score: number | null, hasCriticalFailure: boolean, policy: ScoringPolicy): Grade | null {
  if (score === null) return null
  const earned = policy.grades.find((g) => score >= g.min)?.grade ?? 'F'
  if (!hasCriticalFailure) return earned
  const order = gradeSchema.options
  return order.indexOf(earned) < order.indexOf(policy.criticalFailureCap) ? policy.criticalFailureCap : earned
}

function weightedScore({ passed, total, evaluated }: Weighted): number | null {
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

function mapValues<T, U>(record: Record<string, T>, fn: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]))
}
