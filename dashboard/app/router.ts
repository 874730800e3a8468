/**
 * Hash routes (`#/nodes/ab12`): links work without a server route per page, and a
 * reload keeps the view. A table of patterns, matched in order.
 */
export interface Route<T> {
  pattern: string
  target: T
}

export interface Match<T> {
  target: T
  params: Record<string, string>
  query: URLSearchParams
}

export function matchRoute<T>(routes: readonly Route<T>[], hash: string): Match<T> | null {
  const raw = hash.replace(/^#/, '') || '/'
  const [path = '/', search = ''] = raw.split('?', 2)
  const parts = path.split('/').filter(Boolean)
  for (const route of routes) {
    const pattern = route.pattern.split('/').filter(Boolean)
    if (pattern.length !== parts.length) continue
    const params: Record<string, string> = {}
    const ok = pattern.every((p, i) => {
      const part = parts[i]!
      if (p.startsWith(':')) {
        params[p.slice(1)] = decodeURIComponent(part)
        return true
      }
      return p === part
    })
    if (ok) return { target: route.target, params, query: new URLSearchParams(search) }
  }
  return null
}
