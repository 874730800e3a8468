import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDashboardCollector, type DashboardCollector } from '../e2e/dashboard-fixture.js'
import { postureTls } from './tls-run.js'

/**
 * Posture practises what it checks: `posture tls` and the `http.*` rules, run against a
 * real collector serving the dashboard, find nothing to fix. The collector is set up as
 * in production: a certificate from the organisation's CA (made here with openssl: a CA
 * and a one-year leaf for localhost), which `posture tls --ca` trusts. (A self-signed
 * certificate is graded T by design, whatever else is right.)
 */
let dc: DashboardCollector
let pki: string

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: pki, stdio: 'pipe' })
}

beforeAll(async () => {
  pki = mkdtempSync(join(tmpdir(), 'posture-pki-'))
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Posture test CA')
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost')
  writeFileSync(join(pki, 'leaf.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n')
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '365', '-sha256', '-extfile', 'leaf.ext')
  execFileSync('sh', ['-c', 'cat leaf.pem ca.pem > chain.pem'], { cwd: pki })
  dc = await startDashboardCollector({}, { tls: { certFile: join(pki, 'chain.pem'), keyFile: join(pki, 'leaf.key') } })
}, 60_000)
afterAll(async () => {
  await dc?.close()
  rmSync(pki, { recursive: true, force: true })
})

describe('the collector under its own TLS and HTTP rules', () => {
  it('passes every tls.* and http.* rule that applies', async () => {
    const port = new URL(dc.url).port
    const run = await postureTls([`127.0.0.1:${port}`, '--servername', 'localhost', '--ca', join(pki, 'ca.pem'), '--http-port', 'none', '--json'])
    expect(run.stderr).toBe('')
    const findings = run.report!.findings
    const failing = findings.filter((f) => f.status === 'fail' || f.status === 'error').map((f) => `${f.rule} ${f.status}: ${f.message} ${JSON.stringify(f.evidence)}`)
    expect(failing).toEqual([])
    const passed = new Set(findings.filter((f) => f.status === 'pass').map((f) => f.rule))
    for (const rule of ['http.hsts.present', 'http.hsts.max-age', 'http.hsts.include-subdomains', 'http.headers.csp', 'http.headers.frame-options', 'http.headers.content-type-options', 'tls.cert.trusted', 'tls.cert.hostname']) {
      expect(passed.has(rule), rule).toBe(true)
    }
  }, 60_000)
})
