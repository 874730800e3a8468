import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ParsedRuleFile } from './load-rules.js'
import { packageRoot } from './package-root.js'

/**
 * Parsed rule files keyed by the SHA-256 of their text, written by `npm run build`
 * (rules/write-catalogue-cache.ts) for the built-in catalogue. Parsing ~220 KB of YAML
 * with line tracking takes 0.4–1 s — most of `posture tls`'s start-up and a large part
 * of an agent's memory — while reading this JSON takes under 10 ms. Keyed by content, the
 * cache is never stale, only missed: an edited or user rule file is parsed as usual, and
 * the whole cache is ignored when the modules that parse (schema, domains, severities)
 * differ from those that wrote it — so only the built CLI hits it, never a test run from
 * edited sources.
 */
export const catalogueCachePath = (): string => join(packageRoot(), 'dist', 'rules-catalogue-cache.json')

interface CacheFile {
  schema: 'posture.rules-cache/v1'
  parser: string
  files: Record<string, ParsedRuleFile>
  /** Plain YAML data files (the scoring policy), as their parsed value. */
  documents: Record<string, unknown>
}

/** The modules whose code decides what a rule file parses to. */
const parserModules = ['load-rules', 'rule-schema', 'domains', 'severity']

function parserFingerprint(): string {
  const self = fileURLToPath(import.meta.url)
  const hash = createHash('sha256')
  for (const name of parserModules) hash.update(readFileSync(join(dirname(self), name + extname(self)))).update('\0')
  return hash.digest('hex')
}

interface Loaded {
  files: Map<string, ParsedRuleFile>
  documents: Map<string, unknown>
}
let loaded: Loaded | null = null

export function textDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The cached parse of a rule file with this text, if the build cached it. */
export function cachedParse(text: string): ParsedRuleFile | undefined {
  loaded ??= readCache()
  return loaded.files.get(textDigest(text))
}

/** The cached value of a plain YAML file with this text, if the build cached it. */
export function cachedDocument(text: string): unknown {
  loaded ??= readCache()
  return loaded.documents.get(textDigest(text))
}

function readCache(): Loaded {
  const empty: Loaded = { files: new Map(), documents: new Map() }
  try {
    const data = JSON.parse(readFileSync(catalogueCachePath(), 'utf8')) as Partial<CacheFile>
    // Anything unexpected (an old format, a truncated file) is a miss, never an error.
    if (data.schema !== 'posture.rules-cache/v1' || typeof data.files !== 'object' || data.files === null) return empty
    if (typeof data.documents !== 'object' || data.documents === null || data.parser !== parserFingerprint()) return empty
    return { files: new Map(Object.entries(data.files)), documents: new Map(Object.entries(data.documents)) }
  } catch {
    return empty
  }
}

/** Writes the cache for these files' texts and parses (atomically: a reader never sees half). */
export function writeCatalogueCache(entries: readonly { text: string; parsed: ParsedRuleFile }[], documents: readonly { text: string; value: unknown }[]): string {
  const file: CacheFile = {
    schema: 'posture.rules-cache/v1',
    parser: parserFingerprint(),
    files: Object.fromEntries(entries.map((e) => [textDigest(e.text), e.parsed])),
    documents: Object.fromEntries(documents.map((d) => [textDigest(d.text), d.value])),
  }
  const path = catalogueCachePath()
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(`${path}.tmp`, JSON.stringify(file))
  renameSync(`${path}.tmp`, path)
  loaded = null
  return path
}
