import type { FastifyInstance } from 'fastify'
import type { CollectorContext, CollectorEvents } from '../../collector-context.js'
import { principal } from '../guard.js'
import { securityHeaders } from '../security-headers.js'

/**
 * GET /api/events: Server-Sent Events for open dashboards (WHATWG HTML, "Server-sent
 * events"): `report`, `rescore` (stored facts scored again after a rules, params or
 * waiver change), `scan-requested`, `node-offline` and `node-online` as they happen,
 * each with `{nodeId}`. A comment every 25 s keeps proxies from closing an idle stream; a
 * session's stream ends when the session would, so a signed-out browser stops receiving.
 */
const heartbeatMs = 25_000
const maxStreams = 1000
const forwarded = ['report', 'rescore', 'scan-requested', 'node-offline', 'node-online'] as const

export function registerLiveEvents(app: FastifyInstance, ctx: CollectorContext, https: boolean): void {
  let open = 0
  app.get('/api/events', { preHandler: ctx.authorize('fleet.read') }, (request, reply) => {
    if (open >= maxStreams) return reply.code(503).send({ error: { code: 'INTERNAL', message: 'too many live streams' } })
    const who = principal(request)
    reply.hijack()
    // hijack() bypasses the onSend hook, so the stream sets the security headers itself.
    const headers: Record<string, string> = { ...securityHeaders(https), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' }
    reply.raw.writeHead(200, headers)
    reply.raw.write('retry: 3000\n\n')
    open++
    const listeners = forwarded.map((type) => {
      const listener = (event: CollectorEvents[typeof type][0]) => reply.raw.write(`event: ${type}\ndata: ${JSON.stringify({ nodeId: event.nodeId })}\n\n`)
      ctx.events.on(type, listener)
      return () => ctx.events.off(type, listener)
    })
    const heartbeat = setInterval(() => reply.raw.write(': keep-alive\n\n'), heartbeatMs)
    const endAt = who.kind === 'session' ? Date.parse(who.active.expiresAt) - ctx.clock().getTime() : null
    const expiry = endAt !== null ? setTimeout(() => reply.raw.end(), Math.max(1000, endAt)) : null
    const close = () => {
      open--
      clearInterval(heartbeat)
      if (expiry) clearTimeout(expiry)
      for (const off of listeners) off()
    }
    request.raw.once('close', close)
  })
}
