import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { snapshotFrom } from '../../agent/gather-snapshot.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { RecordingHost } from '../../agent/host/recording-host.js'
import { SnapshotHost } from '../../agent/host/snapshot-host.js'
import { buildReport, gatherFacts, scanHost } from '../../agent/scan.js'
import { scanConfigSchema, type ScanConfig } from '../../agent/scan-config.js'
import { parseSnapshot } from '../../agent/snapshot.js'
import type { Domain } from '../../rules/domains.js'
import type { Finding } from '../../rules/finding.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import type { Report } from '../../rules/report.js'
import { createTestPki, startHttpsServer, startSmtpServer, type RunningServer } from '../helpers/dns-endpoints.js'
import { nsdPath, startNsd, type DnsServer } from '../helpers/dns-server.js'

/**
 * The dns domain end to end: a real authoritative DNS server (NSD) serving test zones
 * under .test, real HTTPS and SMTP servers on loopback, a scan through LocalHost with the
 * domains in the scan config, and the snapshot it recorded replayed. Every query goes to
 * 127.0.0.1; every connection to a name goes through a connect override to 127.0.0.1.
 */
const fixtures = resolve(import.meta.dirname, '../fixtures/dns')
const zone = (name: string) => readFileSync(join(fixtures, 'zones', `${name}.zone`), 'utf8')
const runs = nsdPath !== null || Boolean(process.env.CI)
if (!runs) console.warn('SKIPPED test/integration/dns.test.ts: nsd is not installed (apt-get install nsd); CI installs it')

const dnsDomains: Domain[] = ['dns', 'http']
const days = (n: number) => n * 86_400_000

describe.skipIf(!runs)('dns checks against NSD, HTTPS and SMTP servers on loopback', () => {
  let nsd: DnsServer
  const servers: RunningServer[] = []
  let dir: string
  let config: ScanConfig
  let report: Report
  let recorder: RecordingHost
  const now = new Date()

  beforeAll(async () => {
    nsd = await startNsd({ 'good.test': zone('good.test'), 'bad.test': zone('bad.test'), 'loop.test': zone('loop.test') })
    const pki = await createTestPki(now)
    dir = mkdtempSync(join(tmpdir(), 'posture-dns-'))
    const caFile = join(dir, 'ca.pem')
    writeFileSync(caFile, pki.caPem)
    const iso = (offset: number) => new Date(now.getTime() + offset).toISOString()
    const https = await startHttpsServer(
      {
        'good.test': await pki.issue(['good.test']),
        'mta-sts.good.test': await pki.issue(['mta-sts.good.test']),
        'bad.test': await pki.issue(['bad.test']),
        'mta-sts.bad.test': await pki.issue(['mta-sts.bad.test']),
        'loop.test': await pki.issue(['loop.test']),
      },
      {
        'mta-sts.good.test/.well-known/mta-sts.txt': { contentType: 'text/plain', body: 'version: STSv1\nmode: enforce\nmx: mx1.good.test\nmax_age: 1209600\n' },
        'good.test/.well-known/security.txt': {
          contentType: 'text/plain; charset=utf-8',
          body: `Contact: mailto:security@good.test\nExpires: ${iso(days(100))}\nEncryption: https://good.test/.well-known/pgp-key.asc\nCanonical: https://good.test/.well-known/security.txt\n`,
        },
        'good.test/.well-known/pgp-key.asc': { contentType: 'application/pgp-keys', body: readFileSync(join(fixtures, 'security-txt/pgp-key.asc'), 'utf8') },
        // The usual mistakes: a policy still in testing mode that names one MX host of three, an expired security.txt.
        'mta-sts.bad.test/.well-known/mta-sts.txt': { contentType: 'text/plain', body: 'version: STSv1\nmode: testing\nmx: mx1.bad.test\nmax_age: 86400\n' },
        'bad.test/.well-known/security.txt': { contentType: 'text/plain; charset=utf-8', body: `Contact: mailto:security@bad.test\nExpires: ${iso(-days(10))}\n` },
      },
    )
    const mx1Good = await startSmtpServer({ hostname: 'mx1.good.test', identity: await pki.issue(['mx1.good.test']) })
    const mx1Bad = await startSmtpServer({ hostname: 'mx1.bad.test', identity: null })
    const mx2Bad = await startSmtpServer({ hostname: 'mx2.bad.test', identity: await pki.selfSigned(['mx2.bad.test']) })
    const mx3Bad = await startSmtpServer({ hostname: 'mx3.bad.test', identity: await pki.issue(['mx3.bad.test']), minVersion: 'TLSv1' })
    servers.push(https, mx1Good, mx1Bad, mx2Bad, mx3Bad)
    const at = (server: RunningServer) => `127.0.0.1:${server.port}`
    config = scanConfigSchema.parse({
      tls: { discover: false, caFiles: [caFile] },
      dns: {
        resolver: nsd.address,
        timeoutMs: 2000,
        tries: 1,
        connectTimeoutMs: 5000,
        connect: {
          'good.test:443': at(https),
          'mta-sts.good.test:443': at(https),
          'bad.test:443': at(https),
          'mta-sts.bad.test:443': at(https),
          'loop.test:443': at(https),
          'mx1.good.test:25': at(mx1Good),
          'mx1.bad.test:25': at(mx1Bad),
          'mx2.bad.test:25': at(mx2Bad),
          'mx3.bad.test:25': at(mx3Bad),
        },
        domains: [
          { name: 'good.test', dkimSelectors: ['s1', 'e1'], allowedCas: ['letsencrypt.org'] },
          { name: 'bad.test', dkimSelectors: ['s1', 'gone'], allowedCas: ['letsencrypt.org'] },
          'loop.test',
          // Under a served zone but not in it: NXDOMAIN for every name.
          'gone.good.test',
        ],
      },
    })
    recorder = new RecordingHost(new LocalHost())
    report = await scanHost(recorder, { ruleSet: loadRuleSet(), domains: dnsDomains, config, clock: () => now })
  }, 180_000)

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
    await nsd?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const finding = (rule: string, target: string): Finding => {
    const found = report.findings.find((f) => f.rule === rule && f.target === target)
    if (!found) throw new Error(`no finding ${rule} [${target}] among ${report.findings.filter((f) => f.rule === rule).map((f) => f.target).join(', ')}`)
    return found
  }

  it.each([
    // good.test passes everything
    ['dns.spf.valid', 'good.test', 'pass', ''],
    ['dns.dkim.valid', 's1._domainkey.good.test', 'pass', ''],
    ['dns.dkim.valid', 'e1._domainkey.good.test', 'pass', ''],
    ['dns.dmarc.enforcing', 'good.test', 'pass', ''],
    ['dns.mta-sts.enforce', 'good.test', 'pass', ''],
    ['dns.tls-rpt.present', 'good.test', 'pass', ''],
    ['dns.mx.starttls', 'mx1.good.test:25', 'pass', ''],
    ['dns.caa.present', 'good.test', 'pass', ''],
    ['http.security-txt.valid', 'https://good.test/.well-known/security.txt', 'pass', ''],
    // bad.test: one usual mistake per check
    ['dns.spf.valid', 'bad.test', 'fail', 'receivers get permerror: 2 SPF records at bad.test'],
    ['dns.dkim.valid', 's1._domainkey.bad.test', 'fail', 'rsa key of 1024 bits, under 2048'],
    ['dns.dkim.valid', 'gone._domainkey.bad.test', 'fail', 'no DKIM key at gone._domainkey.bad.test'],
    ['dns.dmarc.enforcing', 'bad.test', 'fail', 'p=none does not enforce: receivers deliver mail that fails DMARC; pct=50'],
    ['dns.mta-sts.enforce', 'bad.test', 'fail', 'mode: testing — senders report but still deliver over plaintext or bad TLS; no mx: pattern matches mx2.bad.test, mx3.bad.test'],
    ['dns.tls-rpt.present', 'bad.test', 'fail', 'no TLS-RPT record'],
    ['dns.mx.starttls', 'mx1.bad.test:25', 'fail', 'no STARTTLS: EHLO lists no STARTTLS (PIPELINING, SIZE 10240000, 8BITMIME) — mail to bad.test travels in plaintext'],
    ['dns.mx.starttls', 'mx2.bad.test:25', 'fail', 'certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)'],
    ['dns.mx.starttls', 'mx3.bad.test:25', 'fail', 'accepts TLSv1'],
    ['dns.caa.present', 'bad.test', 'fail', 'names cheap-ca.test, not among letsencrypt.org'],
    ['http.security-txt.valid', 'https://bad.test/.well-known/security.txt', 'fail', 'researchers treat it as stale'],
    // loop.test: an include loop, a null MX, no CAA, no security.txt
    ['dns.spf.valid', 'loop.test', 'fail', 'lookup loop: loop.test → a.loop.test → loop.test'],
    ['dns.dkim.valid', 'loop.test', 'na', 'no DKIM selector configured for loop.test'],
    ['dns.dmarc.enforcing', 'loop.test', 'fail', 'sp=none leaves subdomains open to spoofing'],
    ['dns.mta-sts.enforce', 'loop.test', 'na', 'loop.test has no MX hosts'],
    ['dns.tls-rpt.present', 'loop.test', 'na', 'loop.test has no MX hosts'],
    ['dns.mx.starttls', 'loop.test', 'na', 'loop.test has a null MX (RFC 7505): it accepts no mail'],
    ['dns.caa.present', 'loop.test', 'fail', 'no CAA record at loop.test or its parent domains'],
    ['http.security-txt.valid', 'https://loop.test/.well-known/security.txt', 'fail', 'no security.txt: HTTP 404 (not found)'],
    // gone.good.test: NXDOMAIN everywhere
    ['dns.spf.valid', 'gone.good.test', 'fail', 'no SPF record'],
    ['dns.dmarc.enforcing', 'gone.good.test', 'fail', 'no DMARC record'],
    ['dns.mx.starttls', 'gone.good.test', 'na', 'gone.good.test does not exist (NXDOMAIN)'],
    ['dns.caa.present', 'gone.good.test', 'pass', ''],
    ['http.security-txt.valid', 'https://gone.good.test/.well-known/security.txt', 'fail', 'gone.good.test does not exist (NXDOMAIN): nothing serves'],
  ] as const)('%s [%s] is %s', (rule, target, status, message) => {
    const f = finding(rule, target)
    expect({ status: f.status, message: f.message }).toEqual({ status, message: expect.stringContaining(message) })
  })

  it('reads the facts an auditor needs as evidence', () => {
    const dns = report.facts.dns!
    expect(dns.resolver).toBe(nsd.address)
    expect(dns.domains).toEqual(['good.test', 'bad.test', 'loop.test', 'gone.good.test'])
    expect(dns.spf?.find((s) => s.domain === 'good.test')).toMatchObject({ all: '-all', lookups: 2, includes: ['_spf.good.test'] })
    expect(dns.dkim?.find((d) => d.target === 's1._domainkey.good.test')).toMatchObject({ keyType: 'rsa', keyBits: 2048 })
    expect(dns.caa?.find((c) => c.domain === 'gone.good.test')).toMatchObject({ foundAt: 'good.test', issuers: ['letsencrypt.org', ''] })
    const mx = dns.mx?.find((m) => m.target === 'mx1.good.test:25')
    expect(mx).toMatchObject({ host: 'mx1.good.test', domains: ['good.test'], address: '127.0.0.1', starttls: true, capabilities: ['PIPELINING', 'SIZE 10240000', 'STARTTLS', '8BITMIME'] })
    expect(mx?.tls).toMatchObject({ target: 'mx1.good.test:25', servername: 'mx1.good.test', starttls: 'smtp', service: 'smtp' })
    expect(mx?.tls?.certificate).toMatchObject({ trusted: true, trustedBy: 'private', hostnameMatch: true })
    expect(mx?.tls?.protocols).toContain('TLSv1.2')
    const securityTxt = dns.securityTxt?.find((s) => s.domain === 'good.test')
    expect(securityTxt?.encryption).toEqual([{ uri: 'https://good.test/.well-known/pgp-key.asc', ok: true, checked: true, reason: 'HTTP 200: an OpenPGP public key block' }])
  })

  it('asked only loopback: every DNS question went to NSD, every connection to 127.0.0.1', () => {
    const keys = Object.keys(recorder.recorded().probes)
    expect(keys.length).toBeGreaterThan(40)
    for (const key of keys) {
      if (key.startsWith('dns ')) expect(key, key).toMatch(new RegExp(` via ${nsd.address.replace(/\./g, '\\.')}$`))
      else if (key.startsWith('https ') || key.startsWith('smtp ')) expect(key, key).toMatch(/ at 127\.0\.0\.1:\d+$/)
      else expect(key, key).toMatch(/^tls 127\.0\.0\.1:\d+ starttls=smtp sni=mx\d\.(good|bad)\.test$/)
    }
  })

  it('replays from its snapshot to the same facts and findings', async () => {
    const snapshot = parseSnapshot(JSON.stringify(snapshotFrom(recorder, dnsDomains, now)), 'dns.json')
    const host = new SnapshotHost(snapshot, 'dns.json')
    const gathered = await gatherFacts(host, dnsDomains, config, now)
    expect(gathered.facts.dns).toEqual(report.facts.dns)
    const replayed = buildReport(gathered, { ruleSet: loadRuleSet(), domains: dnsDomains, now, scanId: report.scanId, source: host.description, startedAt: now, finishedAt: now })
    const summary = (r: Report) => r.findings.filter((f) => f.domain === 'dns' || f.rule === 'http.security-txt.valid').map((f) => `${f.rule} ${f.target} ${f.status} ${f.message}`)
    expect(summary(replayed)).toEqual(summary(report))
  })
})
