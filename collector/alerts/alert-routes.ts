import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { asBadRequest, actor } from '../schedule/schedule-routes.js'
import type { CollectorContext } from '../collector-context.js'
import type { AuditLog } from '../audit/audit-log.js'
import { sendError } from '../http/http-errors.js'
import { parseOr400 } from '../http/routes/parse-request.js'
import type { AlertService } from './alert-service.js'
import type { AlertStore, Delivery } from './alert-store.js'
import { severities } from '../../rules/severity.js'
import { alertEventTypes } from './alert-events.js'
import { displayUrl, parseWebhookSpec, type Webhook } from './webhook-spec.js'

/**
 * The webhooks API (README, "Alerts"): changes and test sends with `alerts.manage`; the
 * list and the delivery logs with `fleet.read` (read-only for auditors). Destination URLs
 * may themselves be secrets, as Slack's are, so they are listed shortened (displayUrl);
 * the signing secret is returned once, by the POST that creates the destination. Changes
 * are audited.
 */
const idParams = z.object({ id: z.coerce.number().int().positive() }).strict()
const deliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }).strict()

export function registerAlertRoutes(app: FastifyInstance, ctx: CollectorContext, deps: { alerts: AlertStore; service: AlertService; audit: AuditLog }): void {
  const manage = ctx.authorize('alerts.manage')
  const read = ctx.authorize('fleet.read')

  // Everyone who reads the fleet sees where alerts go (auditors: that monitoring is in place), never a whole URL.
  app.get('/api/webhooks', { preHandler: read }, async () => {
    const webhooks = await deps.alerts.webhooks()
    const listed = await Promise.all(webhooks.map(async (w) => ({ ...w, url: displayUrl(w.url), lastDelivery: (await deps.alerts.deliveries(w.id, 1))[0] ?? null })))
    return { webhooks: listed, eventTypes: alertEventTypes, severities }
  })

  app.post('/api/webhooks', { preHandler: manage }, async (request, reply) => {
    const spec = await asBadRequest(reply, async () => parseWebhookSpec(request.body ?? null))
    if (!spec) return reply
    const { webhook, secret } = await deps.alerts.addWebhook(spec, ctx.clock())
    await deps.audit.append({ ...actor(request), action: 'webhook.change', target: `webhook:${webhook.id}`, outcome: 'success', details: { change: 'add', name: webhook.name, format: webhook.format } })
    return reply.code(201).send({ webhook: { ...webhook, url: displayUrl(webhook.url) }, secret })
  })

  app.delete('/api/webhooks/:id', { preHandler: manage }, async (request, reply) => {
    const params = parseOr400(idParams, request.params, reply)
    if (!params) return reply
    if (!(await deps.alerts.removeWebhook(params.id, ctx.clock()))) return sendError(reply, 'NOT_FOUND', `no webhook ${params.id}`)
    await deps.audit.append({ ...actor(request), action: 'webhook.change', target: `webhook:${params.id}`, outcome: 'success', details: { change: 'remove' } })
    return { ok: true }
  })

  app.post('/api/webhooks/:id/test', { preHandler: manage }, async (request, reply) => {
    const params = parseOr400(idParams, request.params, reply)
    if (!params) return reply
    const messageId = await deps.service.testSend(params.id)
    if (!messageId) return sendError(reply, 'NOT_FOUND', `no webhook ${params.id}`)
    return reply.code(202).send({ messageId })
  })

  app.get('/api/webhooks/:id/deliveries', { preHandler: read }, async (request, reply) => {
    const params = parseOr400(idParams, request.params, reply)
    const query = params && parseOr400(deliveriesQuery, request.query, reply)
    if (!params || !query) return reply
    if (!(await deps.alerts.webhook(params.id))) return sendError(reply, 'NOT_FOUND', `no webhook ${params.id}`)
    return { deliveries: await deps.alerts.deliveries(params.id, query.limit) }
  })
}

/** A destination as GET /api/webhooks lists it (the dashboard's type). */
export type WebhookListing = Webhook & { lastDelivery: Delivery | null }
export interface WebhookList {
  webhooks: WebhookListing[]
  eventTypes: typeof alertEventTypes
  severities: typeof severities
}
