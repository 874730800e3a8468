import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { protocolVersion } from '../../../agent/wire/messages.js'
import type { CollectorContext } from '../../collector-context.js'
import { isOutdated } from '../../liveness.js'
import type { NodeSummary } from '../../store/store.js'
import { sendError } from '../http-errors.js'
import { findingQuerySchema, historyQuerySchema, nodeParamsSchema, scanBodySchema } from '../query-schemas.js'
import { parseOr400 } from './parse-request.js'

/** The API's view of a node (README, "JSON API"). */
export function nodeView(node: NodeSummary, ctx: CollectorContext) {
  return {
    id: node.id,
    hostname: node.hostname,
    os: node.os,
    labels: node.labels,
    score: node.score,
    grade: node.grade,
    coverage: node.coverage,
    domains: node.domainScores,
    lastSeen: node.lastSeen,
    lastScanAt: node.lastScanAt,
    online: ctx.isOnline(node.id, node.agentId, node.agentIntervalMs, node.lastScanAt),
    offlineSince: node.offlineSince,
    agentId: node.agentId,
    agentVersion: node.agentVersion,
    agentOutdated: isOutdated(node.agentVersion, ctx.collectorVersion),
    rulesCurrent: node.scoredWith !== null && node.scoredWith.startsWith(`${ctx.scoring().ruleSet.version}|`),
  }
}

export function registerNodeRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  const read = ctx.authorize('fleet.read')

  app.get('/api/nodes', { preHandler: read }, async () => {
    const nodes = await ctx.store.listNodes()
    return { nodes: nodes.map((n) => nodeView(n, ctx)) }
  })

  app.get('/api/nodes/:id', { preHandler: read }, async (request, reply) => {
    const params = parseOr400(nodeParamsSchema, request.params, reply)
    if (!params) return reply
    const node = await ctx.store.getNode(params.id)
    if (!node) return sendError(reply, 'NOT_FOUND', `no node ${params.id}`)
    return { node: nodeView(node, ctx), report: await ctx.store.latestReport(node.id) }
  })

  app.get('/api/nodes/:id/findings', { preHandler: read }, async (request, reply) => {
    const params = parseOr400(nodeParamsSchema, request.params, reply)
    const query = params && parseOr400(findingQuerySchema, request.query, reply)
    if (!params || !query) return reply
    if (!(await ctx.store.getNode(params.id))) return sendError(reply, 'NOT_FOUND', `no node ${params.id}`)
    const findings = await ctx.store.nodeFindings(params.id, { ...query, overdueAt: query.overdue === 'true' ? ctx.clock() : undefined })
    return { findings }
  })

  app.get('/api/nodes/:id/history', { preHandler: read }, async (request, reply) => {
    const params = parseOr400(nodeParamsSchema, request.params, reply)
    const query = params && parseOr400(historyQuerySchema, request.query, reply)
    if (!params || !query) return reply
    if (!(await ctx.store.getNode(params.id))) return sendError(reply, 'NOT_FOUND', `no node ${params.id}`)
    return { scans: await ctx.store.nodeHistory(params.id, query.limit) }
  })

  app.post('/api/nodes/:id/scan', { preHandler: ctx.authorize('scan.request') }, async (request, reply) => {
    const params = parseOr400(nodeParamsSchema, request.params, reply)
    const body = params && parseOr400(scanBodySchema, request.body ?? null, reply)
    if (!params || body === undefined) return reply
    const node = await ctx.store.getNode(params.id)
    if (!node) return sendError(reply, 'NOT_FOUND', `no node ${params.id}`)
    const scanId = randomUUID()
    // Through whichever collector holds the agent's connection.
    const sent = node.agentId !== null && (await ctx.cluster.sendToAgent(node.agentId, { v: protocolVersion, type: 'scan', scanId, ...(body?.only ? { only: body.only } : {}) }))
    if (!sent) return sendError(reply, 'NODE_OFFLINE', `node ${node.hostname} has no connected agent; it scans when it reconnects`)
    ctx.events.emit('scan-requested', { nodeId: node.id, scanId })
    request.log.info({ nodeId: node.id, scanId }, 'scan requested')
    return reply.code(202).send({ scanId, nodeId: node.id })
  })
}
