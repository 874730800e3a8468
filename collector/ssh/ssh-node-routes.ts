import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { hostKeyId } from '../../agent/host/known-hosts.js'
import { formatSshTarget } from '../../agent/host/ssh-target.js'
import type { CollectorContext } from '../collector-context.js'
import { sendError } from '../http/http-errors.js'
import { parseOr400 } from '../http/routes/parse-request.js'
import { addSshNode, removeSshNode, trustSshHostKey, type AdminDeps } from '../schedule/schedule-admin.js'
import { actor, asBadRequest } from '../schedule/schedule-routes.js'
import { sshNodeNamePattern, type SshNode } from './ssh-node-spec.js'

/**
 * The SSH nodes API: nodes scanned agentless by `ssh` schedules, with their pinned host
 * keys. Read with `fleet.read`; change (and trust a verified new host key) with
 * `schedules.write`; pinning a changed host key needs `hostkeys.trust` (admins). Private keys never pass through it: a node names a key file on the
 * collector's host, or `agent`.
 */
const nameParams = z.object({ name: z.string().regex(sshNodeNamePattern, 'not an SSH node name') }).strict()
const trustBody = z.object({ fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]+$/, 'a SHA256:… fingerprint, as ssh-keygen -lf prints it') }).strict()

export function registerSshNodeRoutes(app: FastifyInstance, ctx: CollectorContext, deps: AdminDeps): void {
  const read = ctx.authorize('fleet.read')
  const write = ctx.authorize('schedules.write')

  const view = async (node: SshNode) => {
    const hostKey = await deps.nodes.hostKey(hostKeyId(node.target.host, node.target.port))
    return { ...node, address: formatSshTarget(node.target), hostKey }
  }

  app.get('/api/ssh-nodes', { preHandler: read }, async () => {
    return { nodes: await Promise.all((await deps.nodes.list()).map(view)) }
  })

  app.post('/api/ssh-nodes', { preHandler: write }, async (request, reply) => {
    const body = request.body ?? null
    const name = typeof body === 'object' && body !== null && 'name' in body ? body.name : undefined
    if (typeof name === 'string' && (await deps.nodes.get(name))) return sendError(reply, 'CONFLICT', `an SSH node named ${name} already exists`)
    const node = await asBadRequest(reply, () => addSshNode(deps, body, actor(request), ctx.clock()))
    if (!node) return reply
    return reply.code(201).send({ node: await view(node) })
  })

  app.get('/api/ssh-nodes/:name', { preHandler: read }, async (request, reply) => {
    const params = parseOr400(nameParams, request.params, reply)
    if (!params) return reply
    const node = await deps.nodes.get(params.name)
    if (!node) return sendError(reply, 'NOT_FOUND', `no SSH node named ${params.name}`)
    return { node: await view(node) }
  })

  app.delete('/api/ssh-nodes/:name', { preHandler: write }, async (request, reply) => {
    const params = parseOr400(nameParams, request.params, reply)
    if (!params) return reply
    if (!(await deps.nodes.get(params.name))) return sendError(reply, 'NOT_FOUND', `no SSH node named ${params.name}`)
    await removeSshNode(deps, params.name, actor(request))
    return { ok: true }
  })

  app.post('/api/ssh-nodes/:name/trust', { preHandler: ctx.authorize('hostkeys.trust') }, async (request, reply) => {
    const params = parseOr400(nameParams, request.params, reply)
    const body = params && parseOr400(trustBody, request.body ?? null, reply)
    if (!params || !body) return reply
    if (!(await deps.nodes.get(params.name))) return sendError(reply, 'NOT_FOUND', `no SSH node named ${params.name}`)
    const pinned = await asBadRequest(reply, () => trustSshHostKey(deps, params.name, body.fingerprint, actor(request), ctx.clock()))
    if (!pinned) return reply
    return { pinned }
  })
}
