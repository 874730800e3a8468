import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { issueToken } from '../../auth/secret-token.js'
import type { ApiTokenRecord } from '../../auth/api-tokens.js'
import { roles, type Role } from '../../store/store.js'
import type { Authorize } from '../api-auth.js'
import { actorOf, principal, type GuardDeps } from '../guard.js'
import { sendError } from '../http-errors.js'
import type { NewToken, TokenInfo } from './admin-types.js'

const createSchema = z.object({ name: z.string().trim().min(1).max(100), role: z.enum(roles as [Role, ...Role[]]) }).strict()
const idSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{12}$/) }).strict()

/** API tokens (admin): list, create (the secret is shown once), revoke. */
export function registerTokensRoutes(app: FastifyInstance, deps: GuardDeps & { authorize: Authorize }): void {
  const admin = deps.authorize('tokens.manage')

  app.get('/api/tokens', { preHandler: admin }, async (): Promise<TokenInfo[]> => (await deps.tokens.list()).map(tokenInfo))

  app.post('/api/tokens', { preHandler: admin }, async (request, reply): Promise<NewToken | typeof reply> => {
    const body = createSchema.safeParse(request.body)
    if (!body.success) return sendError(reply, 'BAD_REQUEST', 'expected { name, role }')
    const issued = issueToken('pt1')
    const createdAt = deps.clock().toISOString()
    await deps.tokens.create({ id: issued.id, secretHash: issued.secretHash, role: body.data.role, name: body.data.name, createdAt })
    await deps.audit.append({ actor: actorOf(principal(request)), action: 'token.create', target: `token:${issued.id}`, outcome: 'success', ip: request.ip, details: { name: body.data.name, role: body.data.role } })
    return { token: tokenInfo({ id: issued.id, secretHash: issued.secretHash, role: body.data.role, name: body.data.name, createdAt, revokedAt: null, lastUsed: null }), secret: issued.token }
  })

  app.delete('/api/tokens/:id', { preHandler: admin }, async (request, reply) => {
    const params = idSchema.safeParse(request.params)
    if (!params.success) return sendError(reply, 'BAD_REQUEST', 'bad token id')
    if (!(await deps.tokens.revoke(params.data.id, deps.clock().toISOString()))) return sendError(reply, 'NOT_FOUND', 'no such live token')
    await deps.audit.append({ actor: actorOf(principal(request)), action: 'token.revoke', target: `token:${params.data.id}`, outcome: 'success', ip: request.ip, details: {} })
    return { ok: true }
  })
}

function tokenInfo(t: ApiTokenRecord): TokenInfo {
  return { id: t.id, name: t.name, role: t.role, createdAt: t.createdAt, revokedAt: t.revokedAt, lastUsed: t.lastUsed }
}
