import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Document, LineCounter } from 'yaml'
import { z } from 'zod'
import { cachedDocument, cachedParse } from './catalogue-cache.js'
import { createCelEnvironment } from './cel-environment.js'
import { compileRule, RuleCompileError, type CompiledRule } from './compile-rule.js'
import { factsSchema } from './facts/facts.js'
import { packageRoot } from './package-root.js'
import { PostureError } from './posture-error.js'
import { ruleOverrideSchema, ruleSchema, type RuleOverride, type RuleSpec } from './rule-schema.js'
import { scoringPolicySchema, type ScoringPolicy } from './scoring.js'
import { yamlLib } from './yaml-lib.js'

export interface RuleSet {
  /** `<catalogue version>+<digest of every rule file loaded>`: changes whenever a rule does. */
  version: string
  rules: CompiledRule[]
  scoring: ScoringPolicy
}

export interface LoadOptions {
  /** Directories of user rule files, loaded after the built-in catalogue, in order. */
  userDirs?: readonly string[]
  /** Load the built-in catalogue (default true); `posture rules test DIR` may turn it off. */
  builtin?: boolean
  /**
   * Compile only the rules of these domains (default: all). Every file is still read and
   * schema-checked and the version still covers every file, so a rule pack has one version
   * whoever loads it; only the CEL compilation — most of the load time — is skipped.
   */
  domains?: readonly string[]
}

/** A rule file, validated but not compiled: what rules/catalogue-cache.ts keeps. */
export interface ParsedRuleFile {
  /** Each rule with the line of its entry and of each of its fields. */
  rules: { spec: RuleSpec; line: number; fieldLines: Record<string, number> }[]
  overrides: { override: RuleOverride; line: number }[]
}

interface LoadedFile extends ParsedRuleFile {
  path: string
  text: string
}

export function builtinCatalogueDir(): string {
  return join(packageRoot(), 'rules', 'catalogue')
}

export function builtinCatalogueFiles(): string[] {
  return yamlFilesIn(builtinCatalogueDir())
}

/**
 * Loads, validates and compiles the built-in catalogue plus user rule directories.
 * Throws PostureError BAD_RULE_FILE naming the file, line, rule id and reason.
 */
export function loadRuleSet(options: LoadOptions = {}): RuleSet {
  const files: LoadedFile[] = []
  if (options.builtin ?? true) files.push(...builtinCatalogueFiles().map((path) => readRuleFile(path)))
  for (const dir of options.userDirs ?? []) files.push(...yamlFilesIn(dir).map((path) => readRuleFile(path)))

  const env = createCelEnvironment()
  const byId = new Map<string, { spec: RuleSpec; file: LoadedFile; line: number; fieldLines: Record<string, number> }>()
  for (const file of files) {
    for (const { spec, line, fieldLines } of file.rules) {
      const existing = byId.get(spec.id)
      if (existing) {
        fail(file.path, line, `rule ${spec.id}: id already defined in ${existing.file.path}:${existing.line}; to change it, write an entry with "override: ${spec.id}"`)
      }
      byId.set(spec.id, { spec, file, line, fieldLines })
    }
  }
  const disabled = new Set<string>()
  for (const file of files) {
    for (const { override, line } of file.overrides) {
      const target = byId.get(override.override)
      if (!target) fail(file.path, line, `override ${override.override}: no such rule`)
      target.spec = applyOverride(target.spec, override, file.path, line)
      if (override.disabled !== undefined) {
        if (override.disabled) disabled.add(override.override)
        else disabled.delete(override.override)
      }
    }
  }

  const wanted = options.domains ? new Set<string>(options.domains) : null
  const rules: CompiledRule[] = []
  for (const { spec, file, line, fieldLines } of byId.values()) {
    if (disabled.has(spec.id)) continue
    if (wanted && !wanted.has(spec.domain)) continue
    try {
      rules.push(compileRule(spec, file.path, env, factsSchema))
    } catch (err) {
      if (err instanceof RuleCompileError) fail(file.path, fieldLines[err.field] ?? line, `rule ${spec.id}: ${err.message}`)
      throw err
    }
  }

  const digest = createHash('sha256')
  // Contents in load order, never names or paths: the same rule pack must give the same
  // version on the collector and on every agent it was pushed to, wherever and under
  // whatever names it is stored (agents prefix each file with its directory's position).
  for (const file of files) digest.update(file.text).update('\0')
  const catalogueVersion = readFileSync(join(builtinCatalogueDir(), 'VERSION'), 'utf8').trim()
  return {
    version: `${catalogueVersion}+${digest.digest('hex').slice(0, 12)}`,
    rules,
    scoring: loadScoringPolicy(),
  }
}

function applyOverride(spec: RuleSpec, override: RuleOverride, path: string, line: number): RuleSpec {
  const params = { ...spec.params }
  for (const [key, value] of Object.entries(override.params ?? {})) {
    if (!(key in spec.params)) {
      const known = Object.keys(spec.params)
      fail(path, line, `override ${spec.id}: unknown param "${key}" (${known.length ? `known: ${known.join(', ')}` : 'the rule has no params'})`)
    }
    params[key] = value
  }
  return { ...spec, params, severity: override.severity ?? spec.severity }
}

export const scoringPolicyPath = (): string => join(packageRoot(), 'rules', 'scoring.yaml')

export function loadScoringPolicy(): ScoringPolicy {
  const path = scoringPolicyPath()
  const text = readFileSync(path, 'utf8')
  const parsed = scoringPolicySchema.safeParse(cachedDocument(text) ?? yamlLib().parse(text))
  if (!parsed.success) throw new PostureError('BAD_CONFIG', `${path}: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

function yamlFilesIn(dir: string): string[] {
  let names: string[]
  try {
    if (!statSync(dir).isDirectory()) throw new PostureError('BAD_RULE_FILE', `${dir}: not a directory of rule files`)
    names = readdirSync(dir)
  } catch (err) {
    if (err instanceof PostureError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new PostureError('UNREADABLE', `${dir}: cannot read rule directory (${code === 'ENOENT' ? 'no such directory' : code ?? 'error'})`)
  }
  return names.filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => join(dir, n))
}

/**
 * Reads and validates one rule file (without compiling its CEL). A file whose exact text
 * the build already parsed comes from the cache (rules/catalogue-cache.ts).
 */
export function readRuleFile(path: string, options: { useCache?: boolean } = {}): LoadedFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new PostureError('UNREADABLE', `${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  const cached = (options.useCache ?? true) ? cachedParse(text) : undefined
  if (cached) return { path, text, rules: cached.rules, overrides: cached.overrides }
  const { LineCounter, parseDocument } = yamlLib()
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const yamlError = doc.errors[0]
  if (yamlError) {
    const line = yamlError.linePos?.[0].line ?? 1
    fail(path, line, `invalid YAML: ${yamlError.message.split('\n')[0]}`)
  }
  const data: unknown = doc.toJS()
  const file: LoadedFile = { path, text, rules: [], overrides: [] }
  if (data === null || data === undefined) return file
  if (!Array.isArray(data)) fail(path, 1, 'a rule file is a YAML list of rules (entries starting with "- id:") or overrides ("- override:")')

  data.forEach((entry: unknown, index) => {
    const line = lineOf(doc, lineCounter, [index])
    const isOverride = typeof entry === 'object' && entry !== null && 'override' in entry
    const schema = isOverride ? ruleOverrideSchema : ruleSchema
    const parsed = schema.safeParse(entry)
    const label = describeEntry(entry, index)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const issuePath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))
      const where = lineOf(doc, lineCounter, [index, ...issuePath])
      const field = issuePath.join('.')
      const reason =
        issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message
      fail(path, where, `${label}: ${field ? `${field}: ` : ''}${reason}`)
    }
    if (isOverride) file.overrides.push({ override: parsed.data as RuleOverride, line })
    else {
      const spec = parsed.data as RuleSpec
      const fieldLines = Object.fromEntries(Object.keys(spec).map((key) => [key, lineOf(doc, lineCounter, [index, key])]))
      file.rules.push({ spec, line, fieldLines })
    }
  })
  return file
}

function describeEntry(entry: unknown, index: number): string {
  if (typeof entry === 'object' && entry !== null) {
    const record = entry as Record<string, unknown>
    if (typeof record.id === 'string') return `rule ${record.id}`
    if (typeof record.override === 'string') return `override ${record.override}`
  }
  return `entry ${index + 1}`
}

function lineOf(doc: Document, lineCounter: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined
    if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line
  }
  return 1
}

function fail(path: string, line: number, reason: string): never {
  throw new PostureError('BAD_RULE_FILE', `${path}:${line}: ${reason}`)
}
