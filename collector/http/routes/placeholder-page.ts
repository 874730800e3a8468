import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { CollectorContext } from '../../collector-context.js'
import { nodeView } from './api-nodes.js'

/**
 * `/`: a small server-rendered page until the dashboard (issue 10) replaces it: the nodes
 * with score and grade, and where the JSON API is. No script, no inline style (the CSP
 * forbids both); every agent-supplied string is escaped. The node list is shown to local
 * (loopback) visitors only, since there is no login yet.
 */
export function registerPlaceholderPage(app: FastifyInstance, ctx: CollectorContext): void {
  app.get('/assets/placeholder.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css))

  app.get('/', async (request, reply) => {
    const local = isLoopback(request)
    const nodes = local ? (await ctx.store.listNodes()).map((n) => nodeView(n, ctx)) : []
    const rows = nodes
      .map((n) => `<tr><td>${escapeHtml(n.hostname)}</td><td class="num">${n.score ?? '–'}</td><td class="grade g-${escapeHtml(n.grade ?? 'none')}">${escapeHtml(n.grade ?? '–')}</td><td class="num">${n.coverage === null ? '–' : `${Math.round(n.coverage * 100)}%`}</td><td>${n.online ? 'online' : 'offline'}</td><td>${escapeHtml(n.lastScanAt ?? 'never')}</td><td><a href="/api/nodes/${encodeURIComponent(n.id)}">${escapeHtml(n.id)}</a></td></tr>`)
      .join('\n')
    const body = local
      ? nodes.length === 0
        ? '<p>No node has reported yet. Join an agent with <code>posture collector token</code>, then <code>posture agent --join …</code>.</p>'
        : `<table><thead><tr><th>node</th><th>score</th><th>grade</th><th>coverage</th><th>status</th><th>last scan</th><th>API</th></tr></thead><tbody>\n${rows}\n</tbody></table>`
      : '<p>The node list is shown on this machine only until the dashboard login arrives. Use the JSON API with a token.</p>'
    reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Posture collector</title><link rel="stylesheet" href="/assets/placeholder.css"></head>
<body><main>
<h1>Posture collector</h1>
<p>Rules ${escapeHtml(ctx.scoring().ruleSet.version)} · Posture ${escapeHtml(ctx.collectorVersion)}${ctx.tls ? ` · certificate SHA-256 <code>${escapeHtml(ctx.tls.fingerprint)}</code>` : ' · plain HTTP (development)'}</p>
${body}
<h2>JSON API</h2>
<p>With <code>Authorization: Bearer &lt;token&gt;</code> from <code>posture collector api-token --role auditor</code>:
<a href="/api/nodes">/api/nodes</a>, <a href="/api/fleet">/api/fleet</a>, <a href="/api/findings?status=fail">/api/findings?status=fail</a>,
<code>/api/nodes/:id</code>, <code>/api/nodes/:id/findings</code>, <code>/api/nodes/:id/history</code>, <code>POST /api/nodes/:id/scan</code>.</p>
</main></body></html>
`)
  })
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

function isLoopback(request: FastifyRequest): boolean {
  const address = request.socket.remoteAddress ?? ''
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}

const css = `body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24;background:#fafafa}
main{max-width:60rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd}
.num{text-align:right}.grade{font-weight:700}.g-A{color:#1a7f37}.g-B{color:#4d7c0f}.g-C{color:#9a6700}.g-D{color:#bc4c00}.g-F{color:#cf222e}
code{background:#eee;padding:0 .25rem;border-radius:3px}`
