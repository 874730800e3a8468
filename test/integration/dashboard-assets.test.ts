import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDashboardCollector, type DashboardCollector } from '../e2e/dashboard-fixture.js'

/** The collector serves the dashboard: content types, caching, compression, headers, no inline code. */
let dc: DashboardCollector

beforeAll(async () => {
  dc = await startDashboardCollector()
}, 60_000)
afterAll(async () => {
  await dc?.close()
})

describe('dashboard assets', () => {
  it('serves the page uncached with strict headers, and versioned assets cached for a year', async () => {
    const app = dc.collector.app
    const page = await app.inject({ method: 'GET', url: '/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['cache-control']).toBe('no-cache')
    expect(page.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains; preload')
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe')
    // No inline script or style in the page.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i)
    const main = /src="(\/assets\/[0-9a-f]{12}\/app\/main\.js)"/.exec(page.body)![1]!
    const js = await app.inject({ method: 'GET', url: main, headers: { 'accept-encoding': 'gzip, br' } })
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(js.headers['content-encoding']).toBe('br')
    const again = await app.inject({ method: 'GET', url: main, headers: { 'if-none-match': String(js.headers.etag) } })
    expect(again.statusCode).toBe(304)
    const css = await app.inject({ method: 'GET', url: main.replace('app/main.js', 'styles.css') })
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
    expect((await app.inject({ method: 'GET', url: main.replace(/[0-9a-f]{12}/, '000000000000') })).statusCode).toBe(404)
  })

  it('never hands agent-supplied text to an HTML parser: no innerHTML, outerHTML, insertAdjacentHTML or document.write in the app', async () => {
    const app = dc.collector.app
    const page = await app.inject({ method: 'GET', url: '/' })
    const modules = [...page.body.matchAll(/href="(\/assets\/[^"]+\.js)"|src="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? m[2]!)
    expect(modules.length).toBeGreaterThan(15)
    for (const url of modules) {
      const body = (await app.inject({ method: 'GET', url })).body
      expect({ url, unsafe: /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/.test(body) }).toEqual({ url, unsafe: false })
    }
  })
})
