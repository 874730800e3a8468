import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { auditActions } from '../../audit/audit-actions.js'
import { verifyAuditChainAsync } from '../../audit/audit-chain.js'
import type { Authorize } from '../api-auth.js'
import type { GuardDeps } from '../guard.js'
import { sendError } from '../http-errors.js'
import { toCsv } from '../csv.js'
import type { AuditPage } from './admin-types.js'

const querySchema = z
  .object({ limit: z.coerce.number().int().min(1).max(1000).default(200), before: z.coerce.number().int().positive().optional(), action: z.enum(auditActions).optional(), actor: z.string().max(200).optional() })
  .strict()

/** The audit log (admin, auditor): pages, the chain's verdict, CSV export. */
export function registerAuditRoutes(app: FastifyInstance, deps: GuardDeps & { authorize: Authorize }): void {
  const read = deps.authorize('audit.read')

  app.get('/api/audit', { preHandler: read }, async (request, reply): Promise<AuditPage | typeof reply> => {
    const query = querySchema.safeParse(request.query)
    if (!query.success) return sendError(reply, 'BAD_REQUEST', query.error.issues[0]?.message ?? 'bad query')
    const entries = await deps.audit.list({ limit: query.data.limit, beforeSeq: query.data.before, action: query.data.action, actor: query.data.actor })
    const last = entries.at(-1)
    return { entries, nextBefore: entries.length === query.data.limit && last && last.seq > 1 ? last.seq : null }
  })

  app.get('/api/audit/verify', { preHandler: read }, async () => verifyAuditChainAsync(deps.audit.entries()))

  app.get('/api/audit.csv', { preHandler: read }, async (_request, reply) => {
    const rows: string[][] = []
    for await (const e of deps.audit.entries()) rows.push([String(e.seq), e.at, e.actor, e.action, e.target ?? '', e.outcome, e.ip ?? '', JSON.stringify(e.details), e.prevHash, e.hash])
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="posture-audit.csv"')
      .send(toCsv(['seq', 'at', 'actor', 'action', 'target', 'outcome', 'ip', 'details', 'prev_hash', 'hash'], rows))
  })
}
