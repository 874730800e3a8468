import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closedPort, hasTool, mozillaIntermediateCiphers, startHttpServer, startHttpsServer, TestPki, type Issued, type Running } from './tls-servers.js'
import { finding, postureTls, statusOf } from './tls-run.js'

/** HSTS, the plain-HTTP redirect and the security headers, on real Node https servers. */
const hasOpenssl = hasTool('openssl')
if (!hasOpenssl) {
  if (process.env.CI) throw new Error('openssl is missing in CI (apt-get install openssl)')
  console.warn('SKIPPING the HTTP-over-TLS integration tests: the openssl CLI (used to make test certificates) is not installed')
}

let pki: TestPki
let leaf: Issued
let caFile: string
const running: Running[] = []

beforeAll(async () => {
  if (!hasOpenssl) return
  pki = await TestPki.create()
  leaf = await pki.issue({ name: 'localhost' })
  caFile = join(pki.dir, 'root.pem')
  writeFileSync(caFile, pki.root.cert)
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()))
})
afterAll(() => pki?.close())

async function probeHeaders(headers: [string, string][], httpPort: string = 'none') {
  const server = await startHttpsServer({ key: readFileSync(leaf.key), cert: leaf.chain, ciphers: mozillaIntermediateCiphers, headers })
  running.push(server)
  const run = await postureTls([`127.0.0.1:${server.port}`, '--servername', 'localhost', '--ca', caFile, '--http-port', httpPort, '--json'])
  expect(run.stderr).toBe('')
  const report = run.report!
  return { report, site: report.facts.http!.sites![0]!, endpoint: report.facts.tls!.endpoints![0]!, port: server.port }
}

const hsts = (value: string): [string, string] => ['Strict-Transport-Security', value]

describe.skipIf(!hasOpenssl)('HTTP over TLS on real servers', { timeout: 60_000 }, () => {
  it('HSTS missing: present fails, the other HSTS rules do not apply, the grade loses its +', async () => {
    const { report, site, endpoint } = await probeHeaders([])
    expect(site.hsts).toBeNull()
    const present = finding(report, 'http.hsts.present')
    expect(present).toMatchObject({ status: 'fail', message: 'no Strict-Transport-Security header' })
    expect(statusOf(report, 'http.hsts.max-age')).toBe('na')
    expect(statusOf(report, 'http.hsts.include-subdomains')).toBe('na')
    expect(endpoint.hsts).toBeNull()
    expect(endpoint.grade).toMatchObject({ grade: 'A-', warnings: ['no HSTS header'] })
  })

  it('HSTS too short: present passes, max-age fails', async () => {
    const { report, site } = await probeHeaders([hsts('max-age=300')])
    expect(site.hsts).toMatchObject({ valid: true, maxAge: 300 })
    expect(statusOf(report, 'http.hsts.present')).toBe('pass')
    expect(finding(report, 'http.hsts.max-age')).toMatchObject({ status: 'fail', message: 'max-age=300 seconds (0 days), under 31536000' })
    expect(statusOf(report, 'http.hsts.include-subdomains')).toBe('fail')
  })

  it('HSTS duplicated: two fields are a finding, the first one is still evaluated', async () => {
    const { report, site } = await probeHeaders([hsts('max-age=31536000'), hsts('max-age=0')])
    expect(site.hsts).toMatchObject({ fieldCount: 2, value: 'max-age=31536000', valid: true, maxAge: 31536000 })
    const present = finding(report, 'http.hsts.present')
    expect(present.status).toBe('fail')
    expect(present.message).toMatch(/^Strict-Transport-Security sent 2 times/)
    expect(statusOf(report, 'http.hsts.max-age')).toBe('pass')
    expect(statusOf(report, 'http.hsts.preload-ready')).toBe('fail')
  })

  it('HSTS with mixed-case names and a quoted max-age is valid (RFC 6797 §6.1)', async () => {
    const { report, site } = await probeHeaders([hsts('Max-Age="63072000"; INCLUDESUBDOMAINS; Preload')])
    expect(site.hsts).toMatchObject({ valid: true, maxAge: 63072000, includeSubDomains: true, preload: true, errors: [] })
    for (const rule of ['http.hsts.present', 'http.hsts.max-age', 'http.hsts.include-subdomains', 'http.hsts.preload-ready']) expect(statusOf(report, rule), rule).toBe('pass')
  })

  it('HSTS with a repeated directive is invalid as a whole', async () => {
    const { report, site } = await probeHeaders([hsts('max-age=63072000; includeSubDomains; includeSubDomains')])
    expect(site.hsts!.valid).toBe(false)
    const present = finding(report, 'http.hsts.present')
    expect(present.status).toBe('fail')
    expect(present.message).toMatch(/^invalid Strict-Transport-Security "max-age=63072000; includeSubDomains; includeSubDomains": directive includeSubDomains appears more than once/)
    expect(statusOf(report, 'http.hsts.max-age')).toBe('na')
  })

  it('HSTS with includeSubDomains and preload, and HTTP redirecting to the same host: preload-ready', async () => {
    const server = await startHttpsServer({ key: readFileSync(leaf.key), cert: leaf.chain, ciphers: mozillaIntermediateCiphers, headers: [hsts('max-age=63072000; includeSubDomains; preload')] })
    running.push(server)
    const http = await startHttpServer(`https://localhost:${server.port}/`)
    running.push(http)
    const run = await postureTls([`127.0.0.1:${server.port}`, '--servername', 'localhost', '--ca', caFile, '--http-port', String(http.port), '--json'])
    const report = run.report!
    expect(report.facts.http!.redirects).toEqual([{ target: `http://localhost:${http.port}/`, site: `https://localhost:${server.port}/`, status: 301, location: `https://localhost:${server.port}/`, toHttps: true, sameHost: true }])
    expect(report.facts.http!.sites![0]!.redirectToHttps).toBe(true)
    for (const rule of ['http.hsts.present', 'http.hsts.max-age', 'http.hsts.include-subdomains', 'http.hsts.preload-ready', 'http.redirect-https']) expect(statusOf(report, rule), rule).toBe('pass')
  })

  it('plain HTTP serving content instead of redirecting fails the redirect rule and preload readiness', async () => {
    const http = await startHttpServer(null)
    running.push(http)
    const { report } = await probeHeaders([hsts('max-age=63072000; includeSubDomains; preload')], String(http.port))
    expect(finding(report, 'http.redirect-https')).toMatchObject({ status: 'fail', message: `http://localhost:${http.port}/ answers 200 without a redirect` })
    expect(finding(report, 'http.hsts.preload-ready').message).toBe('not preloadable: plain HTTP does not redirect to HTTPS on the same host')
  })

  it('a redirect to HTTPS on another host fails (the browser never sees this host\'s HSTS)', async () => {
    const http = await startHttpServer('https://www.example.invalid/')
    running.push(http)
    const { report } = await probeHeaders([hsts('max-age=63072000')], String(http.port))
    expect(finding(report, 'http.redirect-https').message).toMatch(/redirecting to https:\/\/www\.example\.invalid\/ \(another host/)
  })

  it('no plain HTTP on the host: the redirect rule does not apply', async () => {
    const { report } = await probeHeaders([hsts('max-age=63072000')], String(await closedPort()))
    expect(report.facts.http!.redirects).toEqual([])
    expect(statusOf(report, 'http.redirect-https')).toBe('na')
  })

  it('security headers: missing ones fail, CSP frame-ancestors stands in for X-Frame-Options', async () => {
    const bare = await probeHeaders([hsts('max-age=63072000')])
    expect(finding(bare.report, 'http.headers.csp')).toMatchObject({ status: 'fail', message: 'no Content-Security-Policy header' })
    expect(finding(bare.report, 'http.headers.frame-options')).toMatchObject({ status: 'fail', message: 'no X-Frame-Options header and no CSP frame-ancestors' })
    expect(finding(bare.report, 'http.headers.content-type-options')).toMatchObject({ status: 'fail', message: 'no X-Content-Type-Options header' })

    const set = await probeHeaders([['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"], ['X-Content-Type-Options', 'nosniff']])
    expect(set.site.headers).toEqual({ contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'", frameAncestors: "'none'", xFrameOptions: null, xContentTypeOptions: 'nosniff' })
    for (const rule of ['http.headers.csp', 'http.headers.frame-options', 'http.headers.content-type-options']) expect(statusOf(set.report, rule), rule).toBe('pass')
  })
})
