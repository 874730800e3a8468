import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import { PostureError } from '../../rules/posture-error.js'
import type { CollectorContext } from '../collector-context.js'
import { sendError } from '../http/http-errors.js'
import { parseOr400 } from '../http/routes/parse-request.js'
import { actor } from '../schedule/schedule-routes.js'
import { createWaiver, removeWaiver, viewWaiver, type WaiverDeps } from './waiver-admin.js'

/**
 * The waivers API: read with `fleet.read`, create and remove with `waivers.write`
 * (operators and admins). Every change is audited; the collector re-scores the nodes a
 * change affects (waivers-watch.ts notices the new version).
 */
const idParams = z.object({ id: z.string().regex(/^w-[0-9a-f]{12}$/, 'not a waiver id') }).strict()

export function registerWaiverRoutes(app: FastifyInstance, ctx: CollectorContext, deps: WaiverDeps, changed: () => void): void {
  app.get('/api/waivers', { preHandler: ctx.authorize('fleet.read') }, async () => {
    const now = ctx.clock()
    return { waivers: (await deps.waivers.list()).map((w) => viewWaiver(w, now)) }
  })

  app.post('/api/waivers', { preHandler: ctx.authorize('waivers.write') }, async (request, reply) => {
    const waiver = await asBadRequest(reply, () => createWaiver(deps, request.body ?? null, actor(request), ctx.clock()))
    if (!waiver) return reply
    changed()
    return reply.code(201).send({ waiver: viewWaiver(waiver, ctx.clock()) })
  })

  app.delete('/api/waivers/:id', { preHandler: ctx.authorize('waivers.write') }, async (request, reply) => {
    const params = parseOr400(idParams, request.params, reply)
    if (!params) return reply
    if (!(await deps.waivers.get(params.id))) return sendError(reply, 'NOT_FOUND', `no waiver ${params.id}`)
    await removeWaiver(deps, params.id, actor(request))
    changed()
    return { ok: true }
  })
}

async function asBadRequest<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof PostureError && err.code === 'BAD_INPUT') {
      sendError(reply, 'BAD_REQUEST', err.message)
      return undefined
    }
    throw err
  }
}
