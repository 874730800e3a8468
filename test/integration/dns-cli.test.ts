import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reportSchema } from '../../rules/report.js'
import { runPosture } from '../helpers/cli.js'
import { createTestPki, startHttpsServer, startSmtpServer, type RunningServer } from '../helpers/dns-endpoints.js'
import { closedUdpPort, nsdPath, startFakeResolver, startNsd, type DnsServer } from '../helpers/dns-server.js'

/** `posture domain` as users run it: the built CLI against NSD and loopback servers. */
const fixtures = resolve(import.meta.dirname, '../fixtures/dns')
const zone = (name: string) => readFileSync(join(fixtures, 'zones', `${name}.zone`), 'utf8')
const runs = nsdPath !== null || Boolean(process.env.CI)
if (!runs) console.warn('SKIPPED test/integration/dns-cli.test.ts: nsd is not installed (apt-get install nsd); CI installs it')

describe.skipIf(!runs)('posture domain (real CLI)', () => {
  let nsd: DnsServer
  const servers: RunningServer[] = []
  let dir: string
  let goodArgs: string[]

  beforeAll(async () => {
    nsd = await startNsd({ 'good.test': zone('good.test'), 'bad.test': zone('bad.test') })
    const now = new Date()
    const pki = await createTestPki(now)
    dir = mkdtempSync(join(tmpdir(), 'posture-domain-cli-'))
    writeFileSync(join(dir, 'ca.pem'), pki.caPem)
    const https = await startHttpsServer(
      { 'good.test': await pki.issue(['good.test']), 'mta-sts.good.test': await pki.issue(['mta-sts.good.test']) },
      {
        'mta-sts.good.test/.well-known/mta-sts.txt': { contentType: 'text/plain', body: 'version: STSv1\nmode: enforce\nmx: *.good.test\nmax_age: 604800\n' },
        'good.test/.well-known/security.txt': { contentType: 'text/plain; charset=utf-8', body: `Contact: mailto:security@good.test\nExpires: ${new Date(now.getTime() + 90 * 86_400_000).toISOString()}\n` },
      },
    )
    const mx = await startSmtpServer({ hostname: 'mx1.good.test', identity: await pki.issue(['mx1.good.test']) })
    servers.push(https, mx)
    goodArgs = [
      'domain', 'good.test', '--resolver', nsd.address, '--dkim-selector', 's1', '--allowed-ca', 'letsencrypt.org', '--ca', join(dir, 'ca.pem'),
      '--connect', `good.test:443=127.0.0.1:${https.port}`, '--connect', `mta-sts.good.test:443=127.0.0.1:${https.port}`, '--connect', `mx1.good.test:25=127.0.0.1:${mx.port}`,
    ]
  }, 120_000)

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
    await nsd?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('prints a posture.report/v1 about the domain, with the dns rules and security.txt only', async () => {
    const result = await runPosture([...goodArgs, '--json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const report = reportSchema.parse(JSON.parse(result.stdout))
    expect(report.node.hostname).toBe('good.test')
    expect(report.source).toBe(`posture domain good.test via ${nsd.address}`)
    const statuses = Object.fromEntries(report.findings.map((f) => [`${f.rule} ${f.target}`, f.status]))
    expect(statuses).toEqual({
      'dns.spf.valid good.test': 'pass',
      'dns.dkim.valid s1._domainkey.good.test': 'pass',
      'dns.dmarc.enforcing good.test': 'pass',
      'dns.mta-sts.enforce good.test': 'pass',
      'dns.tls-rpt.present good.test': 'pass',
      'dns.mx.starttls mx1.good.test:25': 'pass',
      'dns.caa.present good.test': 'pass',
      'http.security-txt.valid https://good.test/.well-known/security.txt': 'pass',
    })
    expect(report.score.score).toBe(100)
  }, 120_000)

  it('renders failures with their fix, and exits 1 under --fail-on', async () => {
    // bad.test's addresses are 127.0.0.1 too: its MX and web ports refuse, which is an error, not a pass.
    const result = await runPosture(['domain', 'bad.test', '--resolver', nsd.address, '--dkim-selector', 's1', '--fail-on', 'high', '--connect-timeout', '2s'], { env: { NO_COLOR: '1' } })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('Posture report for bad.test')
    expect(result.stdout).toMatch(/FAIL\s+high\s+dns\.spf\.valid \[bad\.test\]/)
    expect(result.stdout).toContain('receivers get permerror: 2 SPF records at bad.test')
    expect(result.stdout).toMatch(/fix: Publish exactly one TXT record/)
    expect(result.stdout).toMatch(/ERROR\s+high\s+dns\.mx\.starttls \[mx1\.bad\.test:25\]/)
  }, 120_000)

  it('exits 3 when the resolver cannot be reached at all', async () => {
    const port = await closedUdpPort()
    const refused = await runPosture(['domain', 'good.test', '--resolver', `127.0.0.1:${port}`, '--timeout', '500ms'])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toMatch(new RegExp(`^posture domain: the resolver \\(127\\.0\\.0\\.1:${port}\\) could not be reached: .*connection to the resolver refused.*\\(ECONNREFUSED\\)\\n$`))
    const silent = await startFakeResolver('silent')
    try {
      const timedOut = await runPosture(['domain', 'good.test', '--resolver', silent.address, '--timeout', '200ms'])
      expect(timedOut.code).toBe(3)
      expect(timedOut.stderr).toContain('no answer from the resolver (timeout) (ETIMEOUT)')
    } finally {
      await silent.stop()
    }
  }, 60_000)

  it.each([
    [['domain'], 'posture domain: expected one domain NAME, got 0 (see posture domain --help)'],
    [['domain', 'localhost'], 'posture domain: NAME: "localhost" has one label: give the full domain (example.com)'],
    [['domain', 'example.test', '--resolver', 'dns.example.test'], 'posture domain: --resolver: "dns.example.test": a resolver is an IP address with an optional port (127.0.0.1:5353, [::1]:53)'],
    [['domain', 'example.test', '--connect', 'mx.example.test:25'], 'posture domain: --connect: "mx.example.test:25" is not HOST:PORT=ADDR:PORT'],
    [['domain', 'example.test', '--connect', 'mx.example.test:25=mx2.example.test:25'], 'posture domain: --connect: "mx2.example.test:25": expected ADDRESS:PORT (an IP literal)'],
    [['domain', 'example.test', '--dkim-selector', 'bad selector'], 'posture domain: --dkim-selector: a DKIM selector is one or more DNS labels, e.g. s1 or 2024._mail'],
    [['domain', 'example.test', '--timeout', 'soon'], 'posture domain: --timeout: "soon" is not a duration (use e.g. 30s, 5m, 1h, 1h30m)'],
  ])('%j is bad usage (exit 2)', async (args, message) => {
    const result = await runPosture(args)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`${message}\n`)
  }, 60_000) // the CLI's start-up alone takes seconds on a loaded machine
})
