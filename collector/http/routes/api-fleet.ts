import type { FastifyInstance } from 'fastify'
import type { CollectorContext } from '../../collector-context.js'
import { summarizeFleet } from '../../fleet-summary.js'
import { findingQuerySchema } from '../query-schemas.js'
import { nodeView } from './api-nodes.js'
import { parseOr400 } from './parse-request.js'

export function registerFleetRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  const read = ctx.authorize('fleet.read')

  app.get('/api/fleet', { preHandler: read }, async () => {
    const nodes = (await ctx.store.listNodes()).map((n) => nodeView(n, ctx))
    const overdue = await ctx.store.fleetFindings({ overdueAt: ctx.clock(), limit: 5000, offset: 0 })
    return { ...summarizeFleet(nodes), overdueFindings: overdue.length, rulesVersion: ctx.scoring().ruleSet.version }
  })

  app.get('/api/findings', { preHandler: read }, async (request, reply) => {
    const query = parseOr400(findingQuerySchema, request.query, reply)
    if (!query) return reply
    const findings = await ctx.store.fleetFindings({ ...query, overdueAt: query.overdue === 'true' ? ctx.clock() : undefined })
    const now = ctx.clock().getTime()
    return {
      findings: findings.map((f) => ({
        ...f,
        failingSince: f.lifecycle.failingSince,
        overdue: f.lifecycle.state === 'open' && f.lifecycle.slaDue !== null && Date.parse(f.lifecycle.slaDue) < now,
      })),
      limit: query.limit,
      offset: query.offset,
    }
  })
}
