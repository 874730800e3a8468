import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { PostureError } from '../../rules/posture-error.js'
import type { CollectorContext } from '../collector-context.js'
import { actorOf, principal } from '../http/guard.js'
import { sendError } from '../http/http-errors.js'
import { parseOr400 } from '../http/routes/parse-request.js'
import { addSchedule, removeSchedule, setScheduleEnabled, viewSchedule, type Actor, type AdminDeps } from './schedule-admin.js'
import { editSchedule } from './schedule-edit.js'
import { scheduleNamePattern } from './schedule-spec.js'
import type { Scheduler } from './scheduler.js'

/**
 * The schedules API (README, "Scheduled scans"): read with `fleet.read`, change with
 * `schedules.write` (add, edit with PUT, enable/disable with PATCH, delete), run now with `scan.request`. Every change is audited.
 */
const nameParams = z.object({ name: z.string().regex(scheduleNamePattern, 'not a schedule name') }).strict()
const runsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }).strict()
const patchBody = z.object({ enabled: z.boolean() }).strict()

export function registerScheduleRoutes(app: FastifyInstance, ctx: CollectorContext, deps: AdminDeps, scheduler: Scheduler): void {
  const read = ctx.authorize('fleet.read')
  const write = ctx.authorize('schedules.write')

  app.get('/api/schedules', { preHandler: read }, async () => {
    const now = ctx.clock()
    const schedules = await deps.schedules.list()
    return { schedules: await Promise.all(schedules.map((s) => viewSchedule(deps, s, now))), running: scheduler.running() }
  })

  app.post('/api/schedules', { preHandler: write }, async (request, reply) => {
    const body = request.body ?? null
    const name = typeof body === 'object' && body !== null && 'name' in body ? body.name : undefined
    if (typeof name === 'string' && (await deps.schedules.get(name))) return sendError(reply, 'CONFLICT', `a schedule named ${name} already exists`)
    const schedule = await asBadRequest(reply, () => addSchedule(deps, body, actor(request), ctx.clock()))
    if (!schedule) return reply
    void scheduler.wake()
    return reply.code(201).send({ schedule: await viewSchedule(deps, schedule, ctx.clock()) })
  })

  app.get('/api/schedules/:name', { preHandler: read }, async (request, reply) => {
    const params = parseOr400(nameParams, request.params, reply)
    if (!params) return reply
    const schedule = await deps.schedules.get(params.name)
    if (!schedule) return sendError(reply, 'NOT_FOUND', `no schedule named ${params.name}`)
    return { schedule: await viewSchedule(deps, schedule, ctx.clock()), runs: await deps.schedules.runs(schedule.id, 20) }
  })

  app.patch('/api/schedules/:name', { preHandler: write }, async (request, reply) => {
    const params = parseOr400(nameParams, request.params, reply)
    const body = params && parseOr400(patchBody, request.body ?? null, reply)
    if (!params || !body) return reply
    if (!(await deps.schedules.get(params.name))) return sendError(reply, 'NOT_FOUND', `no schedule named ${params.name}`)
    const schedule = await setScheduleEnabled(deps, params.name, body.enabled, actor(request), ctx.clock())
    void scheduler.wake()
    return { schedule: await viewSchedule(deps, schedule, ctx.clock()) }
  })

  app.put('/api/schedules/:name', { preHandler: write }, async (request, reply) => {
    const params = parseOr400(nameParams, request.params, reply)
    if (!params) return reply
    if (!(await deps.schedules.get(params.name))) return sendError(reply, 'NOT_FOUND', `no schedule named ${params.name}`)
    const schedule = await asBadRequest(reply, () => editSchedule(deps, params.name, request.body ?? null, actor(request), ctx.clock()))
    if (!schedule) return reply
    void scheduler.wake()
    return { schedule: await viewSchedule(deps, schedule, ctx.clock()) }
  })

  app.delete('/api/schedules/:name', { preHandler: write }, async (request, reply) => {
    const params = parseOr400(nameParams, request.params, reply)
    if (!params) return reply
    if (!(await deps.schedules.get(params.name))) return sendError(reply, 'NOT_FOUND', `no schedule named ${params.name}`)
    await removeSchedule(deps, params.name, actor(request), ctx.clock())
    return { ok: true }
  })

  app.get('/api/schedules/:name/runs', { preHandler: read }, async (request, reply) => {
    const params = parseOr400(nameParams, request.params, reply)
    const query = params && parseOr400(runsQuery, request.query, reply)
    if (!params || !query) return reply
    const schedule = await deps.schedules.get(params.name)
    if (!schedule) return sendError(reply, 'NOT_FOUND', `no schedule named ${params.name}`)
    return { runs: await deps.schedules.runs(schedule.id, query.limit) }
  })

  app.post('/api/schedules/:name/run', { preHandler: ctx.authorize('scan.request') }, async (request, reply) => {
    const params = parseOr400(nameParams, request.params, reply)
    if (!params) return reply
    const schedule = await deps.schedules.get(params.name)
    if (!schedule) return sendError(reply, 'NOT_FOUND', `no schedule named ${params.name}`)
    const { run } = await scheduler.runNow(schedule)
    await deps.audit.append({ ...actor(request), action: 'scan.request', target: `schedule:${schedule.name}`, outcome: 'success', details: { runId: run.id, mode: schedule.mode } })
    return reply.code(202).send({ run })
  })
}

/** Who is asking, for the audit log: every guard (session or API token) records its principal. */
export function actor(request: FastifyRequest): Actor {
  return { actor: actorOf(principal(request)), ip: request.ip }
}

/** Runs `change`; a PostureError (bad input) becomes a 400 naming the problem. */
export async function asBadRequest<T>(reply: FastifyReply, change: () => Promise<T>): Promise<T | undefined> {
  try {
    return await change()
  } catch (err) {
    if (!(err instanceof PostureError)) throw err
    sendError(reply, 'BAD_REQUEST', err.message)
    return undefined
  }
}
