import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { changePassword, confirmTotp, pendingTotpQr, startTotp } from '../../auth/account-changes.js'
import { login } from '../../auth/login.js'
import { permissionsOf } from '../../auth/permissions.js'
import { logout } from '../../auth/session-auth.js'
import { clearedSessionCookie, sessionCookie, sessionSecretFrom } from '../../auth/session.js'
import { requireSession, sessionOf, type GuardDeps } from '../guard.js'
import { sendError } from '../http-errors.js'
import type { SessionInfo } from './session-info.js'

const loginSchema = z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024), code: z.string().max(32).optional() }).strict()
const passwordSchema = z.object({ current: z.string().min(1).max(1024), next: z.string().min(1).max(4096) }).strict()
const codeSchema = z.object({ code: z.string().min(1).max(32) }).strict()

/** Sign-in, sign-out, the session, password change and TOTP enrolment. */
export function registerAuthRoutes(app: FastifyInstance, deps: GuardDeps): void {
  const signedIn = requireSession(deps)

  app.post('/api/auth/login', async (request, reply) => {
    // Login CSRF (signing a victim into the attacker's account): refuse cross-site posts.
    const site = request.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return sendError(reply, 'CSRF', 'cross-site sign-in refused')
    const body = loginSchema.safeParse(request.body)
    if (!body.success) return sendError(reply, 'BAD_REQUEST', 'username and password are required')
    const result = await login(deps, { ...body.data, ip: request.ip, previousSecret: sessionSecretFrom(request.headers.cookie) })
    if (!result.ok) {
      if (result.code === 'RATE_LIMITED') reply.header('retry-after', String(Math.ceil(result.retryAfterMs / 1000)))
      return sendError(reply, result.code, result.message)
    }
    reply.header('set-cookie', sessionCookie(result.secret, deps.sessionPolicy))
    return { username: result.account.username, role: result.account.role }
  })

  app.post('/api/auth/logout', { preHandler: signedIn }, async (request, reply) => {
    await logout(deps, sessionOf(request), request.ip)
    reply.header('set-cookie', clearedSessionCookie())
    return { ok: true }
  })

  app.get('/api/session', { preHandler: signedIn }, async (request): Promise<SessionInfo> => {
    const { account, session, expiresAt } = sessionOf(request)
    return {
      user: { id: account.id, username: account.username, role: account.role, mustChangePassword: account.mustChangePassword, totpEnabled: account.totpSecret !== null },
      permissions: permissionsOf(account.role),
      csrfToken: session.csrfToken,
      totpRequired: deps.totpRequired,
      expiresAt,
    }
  })

  app.post('/api/auth/password', { preHandler: signedIn }, async (request, reply) => {
    const body = passwordSchema.safeParse(request.body)
    if (!body.success) return sendError(reply, 'BAD_REQUEST', 'current and next passwords are required')
    const result = await changePassword(deps, sessionOf(request), body.data.current, body.data.next, request.ip)
    if (!result.ok) return sendError(reply, result.code === 'BAD_PASSWORD' ? 'BAD_CREDENTIALS' : 'BAD_REQUEST', result.message)
    return { ok: true }
  })

  app.post('/api/auth/totp/start', { preHandler: signedIn }, async (request, reply) => {
    const result = await startTotp(deps, sessionOf(request))
    if (!result.ok) return sendError(reply, 'CONFLICT', result.message)
    return { secret: result.secret, uri: result.uri }
  })

  app.get('/api/auth/totp/qr.svg', { preHandler: signedIn }, async (request: FastifyRequest, reply: FastifyReply) => {
    const svg = await pendingTotpQr(deps, sessionOf(request))
    if (!svg) return sendError(reply, 'NOT_FOUND', 'no TOTP enrolment is in progress')
    return reply.type('image/svg+xml').header('cache-control', 'no-store').send(svg)
  })

  app.post('/api/auth/totp/confirm', { preHandler: signedIn }, async (request, reply) => {
    const body = codeSchema.safeParse(request.body)
    if (!body.success) return sendError(reply, 'BAD_REQUEST', 'a code is required')
    const result = await confirmTotp(deps, sessionOf(request), body.data.code, request.ip)
    if (!result.ok) return sendError(reply, result.code === 'BAD_CODE' ? 'BAD_CODE' : 'CONFLICT', result.message)
    return { recoveryCodes: result.recoveryCodes }
  })
}
