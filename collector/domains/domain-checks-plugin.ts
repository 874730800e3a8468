import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { checkDomains } from '../../agent/gatherers/dns/check-domains.js'
import { domainIdentity, domainReportFacts, factsForDomain } from '../../agent/gatherers/dns/domain-report.js'
import { fileText } from '../../agent/gatherers/evidence.js'
import type { Host } from '../../agent/host/host.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { buildReport } from '../../agent/scan.js'
import { errorMessage } from '../../rules/posture-error.js'
import { scoreNode } from '../../rules/scoring.js'
import { applyWaivers } from '../../rules/waivers.js'
import { scoredWith } from '../agent-handlers.js'
import type { CollectorContext } from '../collector-context.js'
import type { DomainChecksConfig } from './domain-checks-config.js'

/** What one round of domain checks did. */
export interface DomainCheckRun {
  startedAt: string
  stored: { domain: string; nodeId: string; scanId: string }[]
  failed: { domain: string; reason: string }[]
}

export interface DomainChecks {
  /** For buildCollector's `plugins`. */
  plugin: (app: FastifyInstance, ctx: CollectorContext) => void
  /** Checks every configured domain now (also what the interval runs); null before the plugin ran. */
  runNow(): Promise<DomainCheckRun> | null
}

/**
 * The collector's domain checks (issue 13): every `intervalMs`, and once when the
 * collector starts, the domains of the collector config's `domainChecks` section are checked from the collector — the vantage
 * point of the internet — and each domain's report is stored like a node's (named for the
 * domain, labelled `kind: domain`), so the fleet view, history, alerts, waivers and
 * evidence treat domains beside nodes. Runs never overlap; closing waits for the one in flight.
 */
export function createDomainChecks(options: { host?: Host } = {}): DomainChecks {
  let runNow: (() => Promise<DomainCheckRun>) | null = null
  const plugin = (app: FastifyInstance, ctx: CollectorContext): void => {
    const config = ctx.config.domainChecks
    const host = options.host ?? new LocalHost()
    const log = app.log.child({ component: 'domain-checks' })
    let inFlight: Promise<DomainCheckRun> | null = null
    let timer: NodeJS.Timeout | null = null

    const run = (): Promise<DomainCheckRun> => {
      inFlight ??= checkAll(ctx, config, host).then(
        (result) => {
          log.info({ stored: result.stored.length, failed: result.failed.length }, 'domain checks done')
          for (const f of result.failed) log.warn({ domain: f.domain, reason: f.reason }, 'domain check failed')
          return result
        },
      ).finally(() => {
        inFlight = null
      })
      return inFlight
    }
    runNow = run
    if (config.domains.length === 0 || config.intervalMs === 0) return
    app.addHook('onReady', async () => {
      // With several collectors on one database, the one holding the cluster lease checks (collector/cluster/).
      if (ctx.cluster.leads()) void run()
      timer = setInterval(() => {
        if (ctx.cluster.leads()) void run()
      }, config.intervalMs)
      timer.unref()
    })
    app.addHook('onClose', async () => {
      if (timer) clearInterval(timer)
      await inFlight
    })
  }
  return { plugin, runNow: () => (runNow ? runNow() : null) }
}

async function checkAll(ctx: CollectorContext, config: DomainChecksConfig, host: Host): Promise<DomainCheckRun> {
  const started = ctx.clock()
  const result: DomainCheckRun = { startedAt: started.toISOString(), stored: [], failed: [] }
  const failAll = (reason: string) => ({ ...result, failed: config.domains.map((d) => ({ domain: d.name, reason })) })
  const caPems: string[] = []
  for (const file of config.caFiles) {
    const text = fileText(await host.readFile(file))
    if (!text.ok) return failAll(`domainChecks.caFiles: ${text.reason}`)
    caPems.push(text.value)
  }
  const { domains, intervalMs: _interval, caFiles: _caFiles, labels, ...dns } = config
  let checked
  try {
    checked = await checkDomains(host, { domains, dns, caPems, connectionsPerEndpoint: 4, now: started })
  } catch (err) {
    return failAll(`the checks failed: ${errorMessage(err)}`)
  }
  if (checked.resolver.answered === 0 && checked.resolver.unreachable > 0) {
    // The collector's resolver is down: that says nothing about the domains, so nothing is stored.
    return failAll(`the resolver (${checked.resolver.label}) could not be reached: ${checked.resolver.firstFailure ?? 'no answer'}`)
  }
  const scoring = ctx.scoring()
  const finished = ctx.clock()
  for (const { name } of domains) {
    const node = domainIdentity(name)
    const built = buildReport(
      { facts: domainReportFacts(factsForDomain(checked.facts, name)), factErrors: {} },
      { ruleSet: scoring.ruleSet, domains: ['dns', 'http'], now: started, scanId: randomUUID(), source: `collector domain check via ${checked.resolver.label}`, startedAt: started, finishedAt: finished },
    )
    // Waivers name the domain's own node id, which the facts of a domain cannot give buildReport.
    const findings = applyWaivers(built.findings, scoring.waivers, { nodeId: node.id, labels }, started)
    const report = { ...built, node, findings, score: scoreNode(findings, scoring.ruleSet.scoring) }
    const [stored] = await ctx.store.ingest([
      { kind: 'scan', agentId: null, seq: null, report, agentRulesVersion: null, scoredWith: scoredWith(scoring), receivedAt: finished, labels, agentVersion: null },
    ])
    if (stored?.status === 'failed') {
      result.failed.push({ domain: name, reason: `storing the report failed: ${stored.error}` })
      continue
    }
    result.stored.push({ domain: name, nodeId: node.id, scanId: report.scanId })
    ctx.events.emit('report', { nodeId: node.id, scanId: report.scanId })
  }
  return result
}
