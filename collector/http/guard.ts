import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import type { AuthDeps } from '../auth/auth-deps.js'
import { checkCsrf, csrfHeader } from '../auth/csrf.js'
import { can, type Permission } from '../auth/permissions.js'
import { parseToken, secretMatches } from '../auth/secret-token.js'
import { needsSetup, resolveSession, type ActiveSession } from '../auth/session-auth.js'
import { sessionSecretFrom } from '../auth/session.js'
import type { ApiTokenStore } from '../auth/api-tokens.js'
import type { Role } from '../store/store.js'
import type { Authorize } from './api-auth.js'
import { sendError } from './http-errors.js'

/**
 * The API's access check with browser sessions (the dashboard's `Authorize`, see
 * api-auth.ts). Who is asking: an API token (`Authorization: Bearer pt1.…`, judged alone
 * even if a cookie comes too) or the session cookie. A cookie-borne change must carry the
 * session's CSRF token and come from this origin; an account that must still change its
 * password or enrol TOTP may only use the endpoints that do that (`requireSession`); then
 * the role must hold the permission (collector/auth/permissions.ts).
 */
export type Principal =
  | { kind: 'token'; role: Role; tokenId: string; name: string }
  | { kind: 'session'; role: Role; active: ActiveSession }

export type GuardDeps = AuthDeps & { tokens: ApiTokenStore }

const principals = new WeakMap<FastifyRequest, Principal>()
// A token used again within this window is not re-stamped: a write per request is waste.
const touchEveryMs = 60_000

export function dashboardAuthorize(deps: GuardDeps): Authorize {
  return (permission: Permission) =>
    async function authorize(request: FastifyRequest, reply: FastifyReply) {
      const who = await identify(deps, request, reply)
      if (!who) return reply
      if (who.kind === 'session' && needsSetup(deps, who.active.account)) {
        return sendError(reply, 'SETUP_REQUIRED', 'change your password and enrol two-factor authentication first')
      }
      if (!can(who.role, permission)) return sendError(reply, 'FORBIDDEN', `the ${who.role} role may not do this (${permission})`)
      principals.set(request, who)
    }
}

/** For the endpoints any signed-in browser may use, even mid-setup (session, password, TOTP, logout). */
export function requireSession(deps: GuardDeps): preHandlerAsyncHookHandler {
  return async function authorizeSession(request: FastifyRequest, reply: FastifyReply) {
    const who = await identify(deps, request, reply)
    if (!who) return reply
    if (who.kind !== 'session') return sendError(reply, 'FORBIDDEN', 'this endpoint is for browser sessions')
    principals.set(request, who)
  }
}

/** Remembers who a request runs for; each Authorize (this guard, api-auth.ts) calls it once it admits the request. */
export function recordPrincipal(request: FastifyRequest, who: Principal): void {
  principals.set(request, who)
}

/** Who a guarded handler runs for. */
export function principal(request: FastifyRequest): Principal {
  const who = principals.get(request)
  if (!who) throw new TypeError('principal() called on a route without a guard')
  return who
}

/** The browser session of a request guarded by `requireSession`. */
export function sessionOf(request: FastifyRequest): ActiveSession {
  const who = principal(request)
  if (who.kind !== 'session') throw new TypeError('sessionOf() called for an API token')
  return who.active
}

/** How the principal is named in the audit log. */
export function actorOf(who: Principal): string {
  return who.kind === 'token' ? `token:${who.tokenId}` : `user:${who.active.account.username}`
}

async function identify(deps: GuardDeps, request: FastifyRequest, reply: FastifyReply): Promise<Principal | null> {
  if (request.headers.authorization !== undefined) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization)?.[1]
    const parsed = bearer ? parseToken('pt1', bearer) : null
    const token = parsed ? await deps.tokens.find(parsed.id) : null
    if (!parsed || !token || token.revokedAt !== null || !secretMatches(parsed.secret, token.secretHash)) {
      reply.header('www-authenticate', 'Bearer realm="posture"')
      sendError(reply, 'UNAUTHENTICATED', 'the API token is not valid')
      return null
    }
    const now = deps.clock()
    if (!token.lastUsed || now.getTime() - Date.parse(token.lastUsed) >= touchEveryMs) await deps.tokens.touch(token.id, now.toISOString())
    return { kind: 'token', role: token.role, tokenId: token.id, name: token.name }
  }
  const secret = sessionSecretFrom(request.headers.cookie)
  const active = secret ? await resolveSession(deps, secret) : null
  if (!active) {
    reply.header('www-authenticate', 'Bearer realm="posture"')
    sendError(reply, 'UNAUTHENTICATED', 'sign in, or send an API token: Authorization: Bearer pt1.…')
    return null
  }
  const csrf = checkCsrf({
    method: request.method,
    headerToken: header(request, csrfHeader),
    sessionToken: active.session.csrfToken,
    origin: header(request, 'origin'),
    secFetchSite: header(request, 'sec-fetch-site'),
    host: header(request, 'host'),
  })
  if (!csrf.ok) {
    sendError(reply, 'CSRF', `request refused (${csrf.reason}); reload the page`)
    return null
  }
  return { kind: 'session', role: active.account.role, active }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}
