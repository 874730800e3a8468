import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import type { Account } from '../../auth/accounts.js'
import { changeRole, createUser, resetPassword, setDisabled, type Actor, type AdminResult } from '../../auth/user-admin.js'
import { roles } from '../../store/store.js'
import type { Authorize } from '../api-auth.js'
import { actorOf, principal, type GuardDeps } from '../guard.js'
import { sendError } from '../http-errors.js'
import type { UserInfo } from './admin-types.js'

const roleSchema = z.enum(roles as [string, ...string[]]).transform((r) => r as Account['role'])
const createSchema = z.object({ username: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'usernames are 2–64 of a-z 0-9 . _ -'), role: roleSchema }).strict()
const patchSchema = z.object({ role: roleSchema.optional(), disabled: z.boolean().optional() }).strict()
const idSchema = z.object({ id: z.coerce.number().int().positive() }).strict()

/** Users (admin): list, add with a one-time password, change role, disable, reset password. */
export function registerUsersRoutes(app: FastifyInstance, deps: GuardDeps & { authorize: Authorize }): void {
  const admin = deps.authorize('users.manage')
  const actor = (request: Parameters<typeof principal>[0]): Actor => {
    const who = principal(request)
    return { audit: actorOf(who), username: who.kind === 'session' ? who.active.account.username : null, ip: request.ip }
  }

  app.get('/api/users', { preHandler: admin }, async (): Promise<UserInfo[]> => (await deps.accounts.list()).map(userInfo))

  app.post('/api/users', { preHandler: admin }, async (request, reply) => {
    const body = createSchema.safeParse(request.body)
    if (!body.success) return sendError(reply, 'BAD_REQUEST', body.error.issues[0]?.message ?? 'bad user')
    const result = await createUser(deps, actor(request), body.data.username, body.data.role)
    if (!result.ok) return fail(reply, result)
    return { user: userInfo(result.account), oneTimePassword: result.oneTimePassword }
  })

  app.patch('/api/users/:id', { preHandler: admin }, async (request, reply) => {
    const params = idSchema.safeParse(request.params)
    const body = patchSchema.safeParse(request.body)
    if (!params.success || !body.success) return sendError(reply, 'BAD_REQUEST', 'expected { role?, disabled? }')
    let account: Account | null = null
    if (body.data.role !== undefined) {
      const result = await changeRole(deps, actor(request), params.data.id, body.data.role)
      if (!result.ok) return fail(reply, result)
      account = result.account
    }
    if (body.data.disabled !== undefined) {
      const result = await setDisabled(deps, actor(request), params.data.id, body.data.disabled)
      if (!result.ok) return fail(reply, result)
      account = result.account
    }
    account ??= await deps.accounts.findById(params.data.id)
    return account ? userInfo(account) : sendError(reply, 'NOT_FOUND', 'no such user')
  })

  app.post('/api/users/:id/reset-password', { preHandler: admin }, async (request, reply) => {
    const params = idSchema.safeParse(request.params)
    if (!params.success) return sendError(reply, 'BAD_REQUEST', 'bad user id')
    const result = await resetPassword(deps, actor(request), params.data.id)
    if (!result.ok) return fail(reply, result)
    return { user: userInfo(result.account), oneTimePassword: result.oneTimePassword }
  })
}

function fail(reply: FastifyReply, result: Extract<AdminResult<object>, { ok: false }>): FastifyReply {
  return sendError(reply, result.code === 'NOT_FOUND' ? 'NOT_FOUND' : result.code === 'CONFLICT' ? 'CONFLICT' : 'FORBIDDEN', result.message)
}

export function userInfo(a: Account): UserInfo {
  return { id: a.id, username: a.username, role: a.role, totpEnabled: a.totpSecret !== null, mustChangePassword: a.mustChangePassword, createdAt: a.createdAt, disabledAt: a.disabledAt }
}
