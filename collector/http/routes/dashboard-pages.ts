import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { negotiate, type Asset, type DashboardAssets } from '../dashboard-assets.js'
import { sendError } from '../http-errors.js'

/**
 * `/` and `/assets/<version>/…`: the dashboard's page and files, with their content
 * types, compressed as the browser accepts, revalidated by ETag. The page itself is never
 * cached (it names the asset version); versioned assets are cached for a year.
 */
export function registerDashboardPages(app: FastifyInstance, assets: DashboardAssets): void {
  app.get('/', async (request, reply) => send(request, reply, assets.index, 'no-cache'))

  app.get('/assets/:version/*', async (request, reply) => {
    const { version, '*': path } = request.params as { version: string; '*': string }
    const asset = version === assets.version ? assets.files.get(path) : undefined
    if (!asset) return sendError(reply, 'NOT_FOUND', `no asset ${path}`)
    return send(request, reply, asset, 'public, max-age=31536000, immutable')
  })
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string): FastifyReply {
  reply.header('cache-control', cacheControl).header('etag', asset.etag).header('vary', 'accept-encoding')
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send()
  const { body, encoding } = negotiate(asset, request.headers['accept-encoding'])
  if (encoding) reply.header('content-encoding', encoding)
  return reply.type(asset.type).send(body)
}
