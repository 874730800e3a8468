import type { CompiledExpression, CompiledRule, CompiledTemplatePart } from './compile-rule.js'
import type { FactErrors, Facts } from './facts/facts.js'
import type { Finding, Status } from './finding.js'
import { formatFactPath } from './fact-paths.js'
import { formatValue } from './template.js'
import { errorMessage } from './posture-error.js'

export interface EvaluationInput {
  facts: Facts
  factErrors: FactErrors
  /** The scan's clock (a snapshot's gatheredAt when replaying). */
  now: Date
}

/** Evaluates every rule; one or more findings per rule, never a throw. */
export function evaluateRules(rules: readonly CompiledRule[], input: EvaluationInput): Finding[] {
  return rules.flatMap((rule) => evaluateRule(rule, input))
}

/**
 * One rule against one node's facts. A fact the rule reads that could not be gathered
 * makes the finding `error` with the gatherer's reason; a CEL error (a field missing from
 * an item, a wrong type) is `error` too. Only a check that returns `true` is a pass.
 */
export function evaluateRule(rule: CompiledRule, input: EvaluationInput): Finding[] {
  const ungathered = ungatheredFacts(rule, input.factErrors)
  if (ungathered.length > 0) {
    return [finding(rule, '', 'error', ungathered.join('; '), null)]
  }
  const context: Record<string, unknown> = { facts: input.facts, params: rule.spec.params, now: input.now }

  if (!rule.forEach) return [evaluateOne(rule, context, '')]

  let items: unknown
  try {
    items = rule.forEach.evaluate(context)
  } catch (err) {
    return [finding(rule, '', 'error', celReason('for_each', err), null)]
  }
  if (!Array.isArray(items)) {
    return [finding(rule, '', 'error', `for_each ${rule.forEach.source} is ${describe(items)}, not a list`, null)]
  }
  if (items.length === 0) {
    const message = rule.naMessage ? render(rule.naMessage, context) : `nothing to check: ${rule.forEach.source} is empty`
    return [finding(rule, '', 'na', message, null)]
  }
  return items.map((item: unknown, index) => evaluateOne(rule, { ...context, item }, itemTarget(item, index)))
}

function evaluateOne(rule: CompiledRule, context: Record<string, unknown>, target: string): Finding {
  const item = context.item
  const evidence = (): unknown => evidenceOf(rule, context)
  // Convention: a gatherer marks an item it could not inspect with an `error` reason.
  if (isRecord(item) && typeof item.error === 'string') {
    return finding(rule, target, 'error', item.error, item)
  }
  try {
    if (rule.applies && !expectBoolean('applies', rule.applies, context)) {
      const message = rule.naMessage ? render(rule.naMessage, context) : 'does not apply'
      return finding(rule, target, 'na', message, null)
    }
    if (expectBoolean('check', rule.check, context)) return finding(rule, target, 'pass', '', evidence())
  } catch (err) {
    return finding(rule, target, 'error', errorMessage(err), safeEvidence(evidence))
  }
  const message = rule.message ? render(rule.message, context) : rule.spec.title
  return finding(rule, target, 'fail', message, safeEvidence(evidence))
}

function expectBoolean(field: string, expression: CompiledExpression, context: Record<string, unknown>): boolean {
  let value: unknown
  try {
    value = expression.evaluate(context)
  } catch (err) {
    throw new Error(celReason(field, err))
  }
  if (typeof value !== 'boolean') throw new Error(`${field} returned ${describe(value)}, not a boolean`)
  return value
}

/** Reasons recorded by gatherers for any fact this rule reads (or a parent of it). */
function ungatheredFacts(rule: CompiledRule, factErrors: FactErrors): string[] {
  if (Object.keys(factErrors).length === 0) return []
  const reasons = new Set<string>()
  for (const path of rule.factPaths) {
    const plain = path.slice(0, path.includes('[]') ? path.indexOf('[]') : path.length)
    for (let i = 1; i <= plain.length; i++) {
      const key = plain.slice(0, i).join('.')
      const reason = factErrors[key]
      if (reason !== undefined) reasons.add(`${formatFactPath(plain.slice(0, i))} could not be gathered: ${reason}`)
    }
  }
  return [...reasons]
}

function evidenceOf(rule: CompiledRule, context: Record<string, unknown>): unknown {
  if (rule.evidence) return toJson(rule.evidence.evaluate(context))
  if ('item' in context) return toJson(context.item)
  const evidence: Record<string, unknown> = {}
  for (const path of rule.factPaths) {
    const plain = path.slice(0, path.includes('[]') ? path.indexOf('[]') : path.length)
    if (plain.length === 0) continue
    evidence[formatFactPath(plain)] = toJson(lookup(context.facts, plain))
  }
  return evidence
}

function safeEvidence(evidence: () => unknown): unknown {
  try {
    return evidence()
  } catch (err) {
    return { error: errorMessage(err) }
  }
}

function render(parts: CompiledTemplatePart[], context: Record<string, unknown>): string {
  return parts
    .map((part) => {
      if ('text' in part) return part.text
      try {
        return formatValue(part.expression.evaluate(context))
      } catch (err) {
        return `<${part.expression.source}: ${celReason('message', err)}>`
      }
    })
    .join('')
}

function finding(rule: CompiledRule, target: string, status: Status, message: string, evidence: unknown): Finding {
  const { spec } = rule
  return {
    rule: spec.id,
    domain: spec.domain,
    severity: spec.severity,
    status,
    target,
    title: spec.title,
    message,
    evidence,
    remediation: spec.remediation,
    controls: spec.controls,
  }
}

function itemTarget(item: unknown, index: number): string {
  if (isRecord(item) && (typeof item.target === 'string' || typeof item.target === 'number')) return String(item.target)
  return `#${index}`
}

function celReason(field: string, err: unknown): string {
  const summary = (err as { summary?: unknown }).summary
  return `${field}: ${typeof summary === 'string' ? summary : errorMessage(err)}`
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return 'a list'
  return `a ${typeof value === 'bigint' ? 'int' : typeof value}`
}

function lookup(root: unknown, path: readonly string[]): unknown {
  let current = root
  for (const segment of path) {
    if (!isRecord(current)) return undefined
    current = current[segment]
  }
  return current
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** CEL values back to plain JSON (ints are BigInt, maps may be Map). */
function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value)
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Map) return toJson(Object.fromEntries(value))
  if (Array.isArray(value)) return value.map(toJson)
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]))
  return value
}
