import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { enrollPath, enrollRequestSchema } from '../../../agent/wire/enrollment.js'
import { issueToken, parseToken, secretMatches } from '../../auth/secret-token.js'
import type { CollectorContext } from '../../collector-context.js'
import { isOutdated } from '../../liveness.js'
import { sendError } from '../http-errors.js'
import { parseOr400 } from './parse-request.js'

const enrollReasons = {
  unknown: 'the enrollment token is not known to this collector',
  used: 'the enrollment token was already used; make a new one with posture collector token',
  expired: 'the enrollment token expired; make a new one with posture collector token',
} as const

/** Enrollment (token → credential) and agent administration. */
export function registerAgentRoutes(app: FastifyInstance, ctx: CollectorContext, revoke: (agentId: string) => Promise<boolean>): void {
  app.post(enrollPath, { bodyLimit: 16 * 1024 }, async (request, reply) => {
    const body = parseOr400(enrollRequestSchema, request.body, reply)
    if (!body) return reply
    const token = parseToken('pe1', body.token)
    const credential = issueToken('pa1')
    const now = ctx.clock()
    const outcome = token
      ? await ctx.store.enrollAgent(token.id, (hash) => secretMatches(token.secret, hash), {
          id: credential.id,
          secretHash: credential.secretHash,
          hostname: body.hostname,
          agentVersion: body.agentVersion,
          enrolledAt: now.toISOString(),
        }, now)
      : ({ ok: false, reason: 'unknown' } as const)
    if (!outcome.ok) {
      request.log.warn({ reason: outcome.reason, hostname: body.hostname }, 'enrollment refused')
      return sendError(reply, 'ENROLLMENT_REFUSED', enrollReasons[outcome.reason])
    }
    request.log.info({ agentId: credential.id, hostname: body.hostname }, 'agent enrolled')
    return { agentId: credential.id, credential: credential.token, labels: outcome.labels }
  })

  app.get('/api/agents', { preHandler: ctx.authorize('tokens.manage') }, async () => {
    const agents = await ctx.store.listAgents()
    return {
      agents: agents.map((a) => ({
        id: a.id,
        hostname: a.hostname,
        labels: a.labels,
        agentVersion: a.agentVersion,
        agentOutdated: isOutdated(a.agentVersion, ctx.collectorVersion),
        enrolledAt: a.enrolledAt,
        revokedAt: a.revokedAt,
        lastSeen: a.lastSeen,
        connected: ctx.cluster.presence(a.id) !== undefined,
      })),
    }
  })

  app.post('/api/agents/:id/revoke', { preHandler: ctx.authorize('tokens.manage') }, async (request, reply) => {
    const params = parseOr400(z.object({ id: z.string().min(1).max(64) }).strict(), request.params, reply)
    if (!params) return reply
    if (!(await ctx.store.findAgent(params.id))) return sendError(reply, 'NOT_FOUND', `no agent ${params.id}`)
    const revoked = await revoke(params.id)
    return { agentId: params.id, revoked }
  })
}
