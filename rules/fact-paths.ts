import type { z } from 'zod'

/**
 * Which facts a CEL expression reads, found by walking its AST (the shape
 * @marcbachmann/cel-js produces: `{ op, args, start }`). Used to check rules against the
 * fact schemas at load time ("unknown fact"), and at evaluation time to turn a rule that
 * reads an ungathered fact into an `error` finding with the gatherer's reason.
 *
 * A path is a list of segments from the `facts` root: `['tls', 'endpoints', '[]', 'grade']`,
 * where `[]` stands for "an element of this list or map".
 */
export interface FactPathRef {
  segments: string[]
  /** Offset of the reference in the expression, for error messages. */
  start: number
}

interface AstNode {
  op: string
  args: unknown
  start?: number
}

/** Macros whose first argument binds a variable to each element of their target. */
const comprehensions = new Set(['all', 'exists', 'exists_one', 'map', 'filter'])

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).op === 'string'
}

/**
 * Fact paths read by `ast`. `scope` binds variable names to paths: the rule engine binds
 * `item` to the `for_each` path plus `[]`.
 */
export function referencedFactPaths(ast: unknown, scope: Record<string, string[]> = {}): FactPathRef[] {
  const found: FactPathRef[] = []
  walk(ast, { facts: [], ...scope }, found)
  return found
}

function walk(value: unknown, scope: Record<string, string[]>, found: FactPathRef[]): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, scope, found)
    return
  }
  if (!isNode(value)) return
  const node = value
  if (node.op === '.' || node.op === '.?' || node.op === '[]' || node.op === '[?]') {
    const chain = resolveChain(node, scope, found)
    if (chain) {
      found.push({ segments: chain, start: node.start ?? 0 })
      return
    }
  }
  if (node.op === 'id' && typeof node.args === 'string' && node.args in scope) {
    const segments = scope[node.args]!
    if (segments.length > 0) found.push({ segments, start: node.start ?? 0 })
    return
  }
  if (node.op === 'rcall' && Array.isArray(node.args)) {
    const [method, target, callArgs] = node.args as [unknown, unknown, unknown]
    walk(target, scope, found)
    const first = Array.isArray(callArgs) ? callArgs[0] : undefined
    if (typeof method === 'string' && comprehensions.has(method) && isNode(first) && first.op === 'id') {
      const targetPath = isNode(target) ? resolveChain(target, scope, []) : null
      const inner = { ...scope }
      if (targetPath) inner[first.args as string] = [...targetPath, '[]']
      else delete inner[first.args as string]
      walk((callArgs as unknown[]).slice(1), inner, found)
      return
    }
    walk(callArgs, scope, found)
    return
  }
  walk(node.args, scope, found)
}

/** The fact path a member/index chain denotes, or null when it is not rooted in a fact. */
function resolveChain(node: AstNode, scope: Record<string, string[]>, found: FactPathRef[]): string[] | null {
  if (node.op === 'id') {
    const name = node.args as string
    return name in scope ? [...scope[name]!] : null
  }
  if ((node.op === '.' || node.op === '.?') && Array.isArray(node.args)) {
    const [object, field] = node.args as [unknown, unknown]
    const base = isNode(object) ? resolveChain(object, scope, found) : null
    return base && typeof field === 'string' ? [...base, field] : null
  }
  if ((node.op === '[]' || node.op === '[?]') && Array.isArray(node.args)) {
    const [object, index] = node.args as [unknown, unknown]
    const base = isNode(object) ? resolveChain(object, scope, found) : null
    if (!base) return null
    if (isNode(index) && index.op === 'value' && typeof index.args === 'string') return [...base, index.args]
    walk(index, scope, found)
    return [...base, '[]']
  }
  return null
}

/** The dotted form users read: `facts.tls.endpoints[].grade`. */
export function formatFactPath(segments: readonly string[]): string {
  return ['facts', ...segments].join('.').replaceAll('.[]', '[]')
}

/**
 * Checks a path against a zod schema of the facts. Returns null when the path exists,
 * otherwise the first segment that does not (as a dotted path).
 */
export function findUnknownSegment(schema: z.ZodType, segments: readonly string[]): string | null {
  let current: z.ZodType | null = schema
  for (let i = 0; i < segments.length; i++) {
    current = unwrap(current)
    if (current === null) return null // unknown/any: anything below is allowed
    const segment = segments[i]!
    const next = childSchema(current, segment)
    if (next === undefined) return formatFactPath(segments.slice(0, i + 1))
    if (next === null) return null
    current = next
  }
  return null
}

type Def = { type: string; [key: string]: unknown }

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def
}

/** Strips optional/nullable/default wrappers; null for unknown/any (open-ended). */
function unwrap(schema: z.ZodType): z.ZodType | null {
  let current = schema
  for (;;) {
    const def = defOf(current)
    if (def.type === 'unknown' || def.type === 'any') return null
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch'].includes(def.type)) {
      current = def.innerType as z.ZodType
      continue
    }
    if (def.type === 'lazy') {
      current = (def.getter as () => z.ZodType)()
      continue
    }
    if (def.type === 'pipe') {
      current = def.in as z.ZodType
      continue
    }
    return current
  }
}

/** The schema of `segment` under `schema`, or undefined when there is none; null = open. */
function childSchema(schema: z.ZodType, segment: string): z.ZodType | null | undefined {
  const def = defOf(schema)
  switch (def.type) {
    case 'object':
      return (def.shape as Record<string, z.ZodType>)[segment]
    case 'array':
      return segment === '[]' ? (def.element as z.ZodType) : undefined
    case 'record':
      return def.valueType as z.ZodType
    case 'union':
    case 'discriminatedUnion': {
      // A field exists when any variant has it.
      for (const option of def.options as z.ZodType[]) {
        const inner = unwrap(option)
        if (inner === null) return null
        const child = childSchema(inner, segment)
        if (child !== undefined) return child
      }
      return undefined
    }
    default:
      return undefined
  }
}
