import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { can, type Permission } from '../auth/permissions.js'
import { parseToken, secretMatches } from '../auth/secret-token.js'
import type { Store } from '../store/store.js'
import { recordPrincipal } from './guard.js'
import { sendError } from './http-errors.js'

/**
 * The API's access check as a preHandler factory: `authorize('fleet.read')`. The default
 * admits API tokens (`Authorization: Bearer pt1.…`) with a role that holds the permission
 * (collector/auth/permissions.ts); the dashboard (issue 10) passes its own factory that
 * also admits browser sessions. Each token is its own principal (`token:<id>` in the audit
 * log, the owner of its export jobs), as under the dashboard's guard.
 */
export type Authorize = (permission: Permission) => preHandlerAsyncHookHandler

export function apiTokenAuthorize(store: Store): Authorize {
  return (permission) =>
    async function authorizeApiToken(request: FastifyRequest, reply: FastifyReply) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
      const parsed = bearer ? parseToken('pt1', bearer) : null
      const row = parsed ? await store.findApiToken(parsed.id) : null
      if (!parsed || !row || row.revokedAt !== null || !secretMatches(parsed.secret, row.secretHash)) {
        reply.header('www-authenticate', 'Bearer realm="posture"')
        return sendError(reply, 'UNAUTHENTICATED', 'an API token is required: Authorization: Bearer pt1.… (posture collector api-token)')
      }
      if (!can(row.role, permission)) return sendError(reply, 'FORBIDDEN', `the ${row.role} role may not do this (${permission})`)
      recordPrincipal(request, { kind: 'token', role: row.role, tokenId: row.id, name: row.name })
    }
}
