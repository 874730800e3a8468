import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { domainSchema } from '../../../rules/domains.js'
import { statusSchema } from '../../../rules/finding.js'
import { severitySchema } from '../../../rules/severity.js'
import type { CollectorContext } from '../../collector-context.js'
import type { DashboardQueries } from '../../store/dashboard-queries.js'
import type { ExplorerFilter } from '../../store/sqlite-explorer.js'
import { toCsv } from '../csv.js'
import { OverviewCache } from './overview-cache.js'
import { parseOr400 } from './parse-request.js'
import type { FindingsPage } from './findings-types.js'
import type { RulesCatalogue } from './rules-types.js'

const overviewQuery = z.object({ days: z.enum(['30', '90']).default('30') }).strict()
const explorerQuery = z
  .object({
    status: statusSchema.optional(),
    severity: severitySchema.optional(),
    domain: domainSchema.optional(),
    rule: z.string().max(200).optional(),
    node: z.string().max(200).optional(),
    label: z.string().regex(/^[^=]{1,100}=.{0,200}$/, 'label is key=value').optional(),
    overdue: z.enum(['1', 'true']).optional(),
    sort: z.enum(['severity', 'age', 'sla']).default('severity'),
    limit: z.coerce.number().int().min(1).max(5000).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict()
const complianceQuery = z.object({ framework: z.string().max(50).default('soc2') }).strict()
const csvLimit = 100_000

/**
 * The dashboard's read API beside the collector's: the fleet overview in one answer, the
 * findings explorer (labels, sorts, CSV of exactly the filtered view), the rules catalogue
 * and the compliance view.
 */
export function registerDashboardApi(app: FastifyInstance, ctx: CollectorContext, queries: DashboardQueries): void {
  const read = ctx.authorize('fleet.read')
  const exportFindings = ctx.authorize('findings.export')
  const overview = new OverviewCache(
    (days: number) => {
      const computed = queries.overview(ctx.clock(), days)
      // A failed computation is not served from the cache: the next request tries again.
      computed.catch(() => overview.invalidate())
      return computed
    },
    { maxAgeMs: 15_000, now: () => ctx.clock().getTime() },
  )
  // A re-score (rules, params or waivers changed) moves scores and findings as a report does.
  for (const event of ['report', 'rescore', 'node-offline', 'node-online'] as const) ctx.events.on(event, () => overview.invalidate())

  app.get('/api/overview', { preHandler: read }, async (request, reply) => {
    const query = parseOr400(overviewQuery, request.query, reply)
    if (!query) return reply
    return overview.get(Number(query.days))
  })

  app.get('/api/explorer', { preHandler: read }, async (request, reply): Promise<FindingsPage | typeof reply> => {
    const query = parseOr400(explorerQuery, request.query, reply)
    if (!query) return reply
    const items = await queries.explore({ ...filterOf(query, ctx.clock()), limit: query.limit + 1 })
    const more = items.length > query.limit
    return { items: more ? items.slice(0, query.limit) : items, nextOffset: more ? query.offset + query.limit : null }
  })

  app.get('/api/explorer.csv', { preHandler: exportFindings }, async (request, reply) => {
    const query = parseOr400(explorerQuery.omit({ limit: true, offset: true }), request.query, reply)
    if (!query) return reply
    const items = await queries.explore({ ...filterOf({ ...query, limit: csvLimit, offset: 0 }, ctx.clock()) })
    const rows = items.map((f) => [f.node.hostname, f.node.id, f.rule, f.title, f.domain, f.severity, f.status, f.target, f.message, f.lifecycle.failingSince ?? '', f.lifecycle.slaDue ?? '', f.remediation])
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="posture-findings.csv"')
      .send(toCsv(['node', 'node_id', 'rule', 'title', 'domain', 'severity', 'status', 'target', 'message', 'failing_since', 'sla_due', 'remediation'], rows))
  })

  app.get('/api/rules', { preHandler: read }, async (): Promise<RulesCatalogue> => {
    const { ruleSet } = ctx.scoring()
    return {
      version: ruleSet.version,
      rules: ruleSet.rules.map(({ spec }) => ({
        id: spec.id,
        title: spec.title,
        domain: spec.domain,
        severity: spec.severity,
        check: spec.check,
        forEach: spec.for_each ?? null,
        applies: spec.applies ?? null,
        rationale: spec.rationale,
        remediation: spec.remediation,
        references: spec.references,
        controls: spec.controls,
        params: spec.params,
      })),
    }
  })

  app.get('/api/compliance', { preHandler: read }, async (request, reply) => {
    const query = parseOr400(complianceQuery, request.query, reply)
    if (!query) return reply
    const catalogue = new Map(ctx.scoring().ruleSet.rules.map(({ spec }) => [spec.id, spec.controls]))
    return queries.compliance(query.framework, catalogue)
  })
}

function filterOf(query: z.infer<typeof explorerQuery>, now: Date): ExplorerFilter {
  const [key, ...value] = query.label?.split('=') ?? []
  return {
    status: query.status,
    severity: query.severity,
    domain: query.domain,
    rule: query.rule,
    node: query.node,
    label: key !== undefined ? { key, value: value.join('=') } : undefined,
    overdueAt: query.overdue ? now : undefined,
    sort: query.sort,
    limit: query.limit,
    offset: query.offset,
  }
}
