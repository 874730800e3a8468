import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { PostureError } from '../../rules/posture-error.js'

/**
 * The dashboard's files, read once at start: the ES modules tsc compiled into
 * dist/dashboard/app and the static files of dashboard/static. Each is kept with its
 * brotli and gzip forms and an ETag. Asset URLs carry a version (a digest of all of
 * them), so browsers cache them for a year and a new build is fetched at once;
 * index.html lists every module as modulepreload so the browser fetches them in parallel
 * instead of discovering imports one level at a time.
 */
export interface Asset {
  type: string
  body: Buffer
  gzip: Buffer
  br: Buffer
  etag: string
}

export interface DashboardAssets {
  version: string
  /** Keyed by path under the version, e.g. `app/main.js`, `styles.css`. */
  files: ReadonlyMap<string, Asset>
  index: Asset
}

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
}

export function loadDashboardAssets(root: string): DashboardAssets {
  const appDir = join(root, 'dist', 'dashboard', 'app')
  const staticDir = join(root, 'dashboard', 'static')
  if (!existsSync(join(appDir, 'main.js'))) {
    throw new PostureError('INTERNAL', `the dashboard is not built (${appDir}/main.js is missing): run npm run build`)
  }
  const raw = new Map<string, Buffer>()
  for (const file of walk(appDir)) if (file.endsWith('.js')) raw.set(`app/${relative(appDir, file)}`, readFileSync(file))
  for (const file of walk(staticDir)) if (!file.endsWith('index.html')) raw.set(relative(staticDir, file), readFileSync(file))
  const digest = createHash('sha256')
  for (const [path, body] of [...raw].sort(([a], [b]) => a.localeCompare(b))) digest.update(path).update(body)
  const version = digest.digest('hex').slice(0, 12)
  const files = new Map<string, Asset>()
  for (const [path, body] of raw) files.set(path, asset(path, stripSourceMapComment(path, body)))
  const prefix = `/assets/${version}`
  const preload = [...files.keys()]
    .filter((p) => p.startsWith('app/') && p !== 'app/main.js')
    .sort()
    .map((p) => `<link rel="modulepreload" href="${prefix}/${p}">`)
    .join('\n')
  const template = readFileSync(join(staticDir, 'index.html'), 'utf8')
  const html = template.replaceAll('{{assets}}', prefix).replace('{{modulepreload}}', preload)
  return { version, files, index: asset('index.html', Buffer.from(html)) }
}

function asset(path: string, body: Buffer): Asset {
  return {
    type: contentTypes[extname(path)] ?? 'application/octet-stream',
    body,
    gzip: gzipSync(body, { level: 9 }),
    br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  }
}

/** The maps are not served (nothing to debug in production); drop the comment that would ask for them. */
function stripSourceMapComment(path: string, body: Buffer): Buffer {
  if (!path.endsWith('.js')) return body
  return Buffer.from(body.toString('utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'))
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

/** Picks the encoding the client accepts (brotli, then gzip, then none). */
export function negotiate(asset: Asset, acceptEncoding: string | undefined): { body: Buffer; encoding: 'br' | 'gzip' | null } {
  const accepted = (acceptEncoding ?? '').toLowerCase()
  if (/\bbr\b/.test(accepted)) return { body: asset.br, encoding: 'br' }
  if (/\bgzip\b/.test(accepted)) return { body: asset.gzip, encoding: 'gzip' }
  return { body: asset.body, encoding: null }
}
