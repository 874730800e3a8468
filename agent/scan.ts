import { createHash, randomUUID } from 'node:crypto'
import type { Domain } from '../rules/domains.js'
import { evaluateRules } from '../rules/evaluate.js'
import type { FactErrors, Facts } from '../rules/facts/facts.js'
import type { RuleSet } from '../rules/load-rules.js'
import { errorMessage } from '../rules/posture-error.js'
import { reportSchemaId, type GathererReads, type NodeIdentity, type Report } from '../rules/report.js'
import { scoreNode } from '../rules/scoring.js'
import { applyWaivers, type Waiver } from '../rules/waivers.js'
import type { Host } from './host/host.js'
import { RecordingHost } from './host/recording-host.js'
import type { ScanConfig } from './scan-config.js'
import { postureVersion } from './version.js'

export interface GatheredFacts {
  facts: Facts
  factErrors: FactErrors
  /** What each gatherer read, in gatherer order (the evidence export's methods.json). */
  reads?: GathererReads[]
}

/**
 * Runs the gatherers that feed `domains` against `host`, side by side. A gatherer that
 * throws (a bug, not a missing tool) costs its own domain only: its facts are recorded
 * as ungathered with the reason.
 */
export async function gatherFacts(host: Host, domains: readonly Domain[], config: ScanConfig, now: Date): Promise<GatheredFacts> {
  // Imported here, not at the top: every gatherer module (~100) loads only when something
  // gathers, so `posture tls` and the collector's report preparation start without them.
  const { gatherersFor } = await import('./gatherers/registry.js')
  const facts: Record<string, unknown> = {}
  const factErrors: FactErrors = {}
  const chosen = gatherersFor(domains)
  // Each gatherer sees the host through its own recorder, so that what it read is known per gatherer.
  const recorders = chosen.map(() => new RecordingHost(host))
  const results = await Promise.all(
    chosen.map(async (gatherer, i) => {
      try {
        return await gatherer.gather({ host: recorders[i]!, now, config })
      } catch (err) {
        return { facts: {}, errors: Object.fromEntries(gatherer.feeds.map((d) => [d, `${gatherer.name} gatherer failed: ${errorMessage(err)}`])) }
      }
    }),
  )
  for (const result of results) {
    for (const [key, value] of Object.entries(result.facts)) facts[key] = { ...(facts[key] as object | undefined), ...(value as object) }
    Object.assign(factErrors, result.errors)
  }
  const reads = chosen.map((gatherer, i): GathererReads => {
    const seen = recorders[i]!.recorded()
    return { gatherer: gatherer.name, files: Object.keys(seen.files).sort(), dirs: Object.keys(seen.dirs).sort(), commands: Object.keys(seen.commands).sort(), probes: Object.keys(seen.probes).sort() }
  })
  return { facts: facts as Facts, factErrors, reads }
}

export interface EvaluateOptions {
  ruleSet: RuleSet
  domains: readonly Domain[]
  /** The clock rules see: the gather time (a snapshot's `gatheredAt` on replay). */
  now: Date
  waivers?: readonly Waiver[]
  labels?: Record<string, string>
}

/** Facts to report: rules of the chosen domains, waivers, score. Pure. */
export function buildReport(
  gathered: GatheredFacts,
  options: EvaluateOptions & { scanId: string; source: string; startedAt: Date; finishedAt: Date },
): Report {
  const node = nodeIdentity(gathered.facts)
  const rules = options.ruleSet.rules.filter((r) => options.domains.includes(r.spec.domain))
  const evaluated = evaluateRules(rules, { facts: gathered.facts, factErrors: gathered.factErrors, now: options.now })
  const findings = applyWaivers(evaluated, options.waivers ?? [], { nodeId: node.id, labels: options.labels ?? {} }, options.now)
  return {
    schema: reportSchemaId,
    scanId: options.scanId,
    node,
    source: options.source,
    postureVersion: postureVersion(),
    rulesVersion: options.ruleSet.version,
    domains: [...options.domains],
    startedAt: options.startedAt.toISOString(),
    finishedAt: options.finishedAt.toISOString(),
    score: scoreNode(findings, options.ruleSet.scoring),
    findings,
    facts: gathered.facts,
    factErrors: gathered.factErrors,
    ...(gathered.reads ? { reads: gathered.reads } : {}),
  }
}

export interface ScanOptions {
  ruleSet: RuleSet
  domains: readonly Domain[]
  config: ScanConfig
  clock?: () => Date
  scanId?: string
  waivers?: readonly Waiver[]
  labels?: Record<string, string>
}

/** A live scan of `host`: gather, evaluate, score. */
export async function scanHost(host: Host, options: ScanOptions): Promise<Report> {
  const clock = options.clock ?? (() => new Date())
  const startedAt = clock()
  const gathered = await gatherFacts(host, options.domains, options.config, startedAt)
  return buildReport(gathered, {
    ...options,
    now: startedAt,
    scanId: options.scanId ?? randomUUID(),
    source: host.description,
    startedAt,
    finishedAt: clock(),
  })
}

/** Who the node is, from its system facts; never throws for a node that hides them. */
export function nodeIdentity(facts: Facts): NodeIdentity {
  const system = facts.system ?? {}
  const hostname = system.hostname ?? 'unknown'
  const basis = system.machineIdDigest ?? `hostname:${hostname}`
  return {
    id: createHash('sha256').update(`posture-node:${basis}`).digest('hex').slice(0, 16),
    hostname,
    os: system.os?.prettyName ?? null,
    kernel: system.kernel?.release ?? null,
    arch: system.kernel?.arch ?? null,
  }
}
