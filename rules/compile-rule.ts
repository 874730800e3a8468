import type { Environment } from '@marcbachmann/cel-js'
import type { z } from 'zod'
import type { RuleSpec } from './rule-schema.js'
import { findUnknownSegment, formatFactPath, referencedFactPaths } from './fact-paths.js'
import { parseTemplate, type TemplatePart } from './template.js'

/** A CEL expression parsed once, evaluated per finding. */
export interface CompiledExpression {
  source: string
  evaluate: (context: Record<string, unknown>) => unknown
}

export type CompiledTemplatePart = { text: string } | { expression: CompiledExpression }

/** A rule ready to evaluate: its spec (after overrides) plus parsed expressions. */
export interface CompiledRule {
  spec: RuleSpec
  /** The file it came from, for messages. */
  source: string
  forEach?: CompiledExpression
  applies?: CompiledExpression
  check: CompiledExpression
  evidence?: CompiledExpression
  message?: CompiledTemplatePart[]
  naMessage?: CompiledTemplatePart[]
  /** Fact paths the rule reads (segments below `facts`), for fact-error lookups. */
  factPaths: string[][]
}

/** Why a rule could not be compiled: which field, where in it, and what is wrong. */
export class RuleCompileError extends Error {
  constructor(
    readonly field: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${field}: ${reason} (at column ${offset + 1})`)
  }
}

type ExpressionField = 'for_each' | 'applies' | 'check' | 'evidence'

/**
 * Parses and type-checks every expression of a rule, and checks each fact it reads
 * against the fact schema. Throws RuleCompileError on the first problem.
 */
export function compileRule(spec: RuleSpec, source: string, env: Environment, factsSchema: z.ZodType): CompiledRule {
  const paths: string[][] = []
  const forEachPath = spec.for_each === undefined ? null : singlePath(spec.for_each)
  const itemScope: Record<string, string[]> = forEachPath ? { item: [...forEachPath, '[]'] } : {}

  const compile = (field: string, source: string, scope: Record<string, string[]>, offsetBase = 0): CompiledExpression => {
    let parsed
    try {
      parsed = env.parse(source)
    } catch (err) {
      throw celError(field, err, offsetBase)
    }
    const checked = parsed.check()
    if (!checked.valid) throw celError(field, checked.error, offsetBase)
    for (const ref of referencedFactPaths(parsed.ast, scope)) {
      const unknown = findUnknownSegment(factsSchema, ref.segments)
      if (unknown !== null) {
        throw new RuleCompileError(field, offsetBase + ref.start, `unknown fact ${unknown}: no such field in the fact types (rules/facts/)`)
      }
      paths.push(ref.segments)
    }
    return { source, evaluate: (context) => parsed(context) }
  }
  const compileTemplate = (field: string, template: string, scope: Record<string, string[]>): CompiledTemplatePart[] =>
    parseTemplate(template).map((part: TemplatePart) =>
      'text' in part ? part : { expression: compile(field, part.expression, scope, part.offset) },
    )

  const expressions: Partial<Record<ExpressionField, CompiledExpression>> = {}
  if (spec.for_each !== undefined) expressions.for_each = compile('for_each', spec.for_each, {})
  for (const field of ['applies', 'check', 'evidence'] as const) {
    const text = spec[field]
    if (text !== undefined) expressions[field] = compile(field, text, itemScope)
  }
  const rule: CompiledRule = {
    spec,
    source,
    check: expressions.check!,
    factPaths: dedupe(paths),
  }
  if (expressions.for_each) rule.forEach = expressions.for_each
  if (expressions.applies) rule.applies = expressions.applies
  if (expressions.evidence) rule.evidence = expressions.evidence
  if (spec.message !== undefined) rule.message = compileTemplate('message', spec.message, itemScope)
  if (spec.na_message !== undefined) rule.naMessage = compileTemplate('na_message', spec.na_message, itemScope)
  return rule
}

/** `for_each` must name a list of facts directly, so that `item` has a known type. */
function singlePath(expression: string): string[] | null {
  const match = /^\s*facts((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*$/.exec(expression)
  return match ? match[1]!.slice(1).split('.') : null
}

function celError(field: string, err: unknown, offsetBase: number): RuleCompileError {
  const celErr = err as { summary?: string; message?: string; range?: { start?: number } }
  const reason = celErr.summary ?? celErr.message ?? String(err)
  return new RuleCompileError(field, offsetBase + (celErr.range?.start ?? 0), `CEL ${reason}`)
}

function dedupe(paths: string[][]): string[][] {
  const seen = new Map<string, string[]>()
  for (const path of paths) seen.set(formatFactPath(path), path)
  return [...seen.values()]
}
