import { describe, expect, it } from 'vitest'
import { dnsGatherer } from '../../../../../agent/gatherers/dns/gather-dns.js'
import { SnapshotHost } from '../../../../../agent/host/snapshot-host.js'
import { buildReport } from '../../../../../agent/scan.js'
import { scanConfigSchema } from '../../../../../agent/scan-config.js'
import { snapshotSchemaId, type Snapshot } from '../../../../../agent/snapshot.js'
import { loadRuleSet } from '../../../../../rules/load-rules.js'

/**
 * The dns gatherer over snapshots built here: what it asks (probe keys), what it makes of
 * the answers, and what the rules then say — without a network. The live path is
 * test/integration/dns.test.ts.
 */
const now = new Date('2026-06-01T00:00:00Z')
const ruleSet = loadRuleSet()
const resolver = '192.0.2.53:53'

function snapshot(probes: Snapshot['probes']): SnapshotHost {
  return new SnapshotHost({ schema: snapshotSchemaId, postureVersion: 'test', host: { description: 'test' }, gatheredAt: now.toISOString(), domains: ['dns'], files: {}, dirs: {}, commands: {}, probes }, 'built')
}
const txt = (...records: string[]) => ({ result: { ok: true, rcode: 'NOERROR', records } })
const nxdomain = { result: { ok: true, rcode: 'NXDOMAIN', records: [] } }
const nodata = { result: { ok: true, rcode: 'NOERROR', records: [] } }
const servfail = { result: { ok: false, code: 'ESERVFAIL', reason: 'the resolver answered SERVFAIL (ESERVFAIL)' } }

async function gather(probes: Snapshot['probes'], dns: object) {
  const config = scanConfigSchema.parse({ dns: { resolver, ...dns } })
  const result = await dnsGatherer.gather({ host: snapshot(probes), now, config })
  const report = buildReport({ facts: result.facts, factErrors: result.errors }, { ruleSet, domains: ['dns', 'http'], now, scanId: 'test', source: 'test', startedAt: now, finishedAt: now })
  const findings = report.findings.filter((f) => f.domain === 'dns' || f.rule === 'http.security-txt.valid')
  return { facts: result.facts.dns!, errors: result.errors, findings, status: (rule: string, target: string) => findings.find((f) => f.rule === rule && f.target === target) }
}

describe('dns gatherer', () => {
  it('with no domains configured, every dns rule is na and says how to configure', async () => {
    const { facts, findings } = await gather({}, {})
    expect(facts).toEqual({ resolver, domains: [], spf: [], dkim: [], dmarc: [], mtaSts: [], tlsRpt: [], mx: [], caa: [], securityTxt: [] })
    expect(findings.map((f) => `${f.rule} ${f.status}`).sort()).toEqual([
      'dns.caa.present na',
      'dns.dkim.valid na',
      'dns.dmarc.enforcing na',
      'dns.mta-sts.enforce na',
      'dns.mx.starttls na',
      'dns.spf.valid na',
      'dns.tls-rpt.present na',
      'http.security-txt.valid na',
    ])
    for (const f of findings) expect(f.message, f.rule).toMatch(/no domains to check: list them in the scan config \(dns: \{ domains: \[example\.com\] \}\) or run `posture domain example\.com`/)
  })

  it('a domain that sends but does not receive mail: answers read from the recorded probes', async () => {
    const via = ` via ${resolver}`
    const { facts, status } = await gather(
      {
        [`dns TXT quiet.test${via}`]: txt('v=spf1 -all', 'some-verification=1'),
        [`dns TXT _dmarc.quiet.test${via}`]: txt('v=DMARC1; p=reject; rua=mailto:d@quiet.test'),
        [`dns MX quiet.test${via}`]: { result: { ok: true, rcode: 'NOERROR', records: [{ exchange: '', priority: 0 }] } },
        [`dns CAA quiet.test${via}`]: { result: { ok: true, rcode: 'NOERROR', records: [{ critical: false, tag: 'issue', value: 'letsencrypt.org' }] } },
        [`dns A quiet.test${via}`]: nodata,
        [`dns AAAA quiet.test${via}`]: nodata,
      },
      { domains: ['quiet.test'] },
    )
    expect(facts.spf).toEqual([{ target: 'quiet.test', domain: 'quiet.test', records: ['v=spf1 -all'], errors: [], warnings: [], all: '-all', allFrom: 'quiet.test', lookups: 0, includes: [] }])
    expect(status('dns.spf.valid', 'quiet.test')?.status).toBe('pass')
    expect(status('dns.dmarc.enforcing', 'quiet.test')?.status).toBe('pass')
    expect(status('dns.caa.present', 'quiet.test')?.status).toBe('pass')
    expect(status('dns.mx.starttls', 'quiet.test')).toMatchObject({ status: 'na', message: 'quiet.test has a null MX (RFC 7505): it accepts no mail' })
    expect(status('dns.mta-sts.enforce', 'quiet.test')?.status).toBe('na')
    expect(status('dns.dkim.valid', 'quiet.test')?.status).toBe('na')
    expect(status('http.security-txt.valid', 'https://quiet.test/.well-known/security.txt')).toMatchObject({ status: 'fail', message: 'no security.txt: quiet.test has no A or AAAA record: nothing serves https://quiet.test/.well-known/security.txt' })
  })

  it('SERVFAIL and answers missing from the snapshot are errors with the reason, never a pass', async () => {
    const via = ` via ${resolver}`
    const { status } = await gather(
      {
        [`dns TXT broken.test${via}`]: servfail,
        [`dns TXT _dmarc.broken.test${via}`]: servfail,
        [`dns MX broken.test${via}`]: servfail,
        [`dns CAA broken.test${via}`]: nxdomain,
      },
      { domains: [{ name: 'broken.test', dkimSelectors: ['s1'] }] },
    )
    expect(status('dns.spf.valid', 'broken.test')).toMatchObject({ status: 'error', message: 'TXT broken.test: the resolver answered SERVFAIL (ESERVFAIL)' })
    expect(status('dns.dmarc.enforcing', 'broken.test')).toMatchObject({ status: 'error', message: 'TXT _dmarc.broken.test: the resolver answered SERVFAIL (ESERVFAIL)' })
    expect(status('dns.mx.starttls', 'broken.test')).toMatchObject({ status: 'error', message: 'MX broken.test: the resolver answered SERVFAIL (ESERVFAIL)' })
    expect(status('dns.mta-sts.enforce', 'broken.test')?.status).toBe('error')
    expect(status('dns.tls-rpt.present', 'broken.test')?.status).toBe('error')
    expect(status('dns.dkim.valid', 's1._domainkey.broken.test')).toMatchObject({ status: 'error', message: `TXT s1._domainkey.broken.test: probe dns TXT s1._domainkey.broken.test via ${resolver} is not in the snapshot` })
    expect(status('http.security-txt.valid', 'https://broken.test/.well-known/security.txt')).toMatchObject({ status: 'error', message: `https://broken.test/.well-known/security.txt: A broken.test: probe dns A broken.test via ${resolver} is not in the snapshot` })
    // NXDOMAIN is an answer: the domain has no CAA, which is the finding.
    expect(status('dns.caa.present', 'broken.test')?.status).toBe('fail')
  })

  it('HTTPS: security.txt follows a redirect, MTA-STS does not (RFC 8461 §3.3)', async () => {
    const via = ` via ${resolver}`
    const web = '192.0.2.80:443'
    const answer = (url: string, status: number, headers: Record<string, string[]>, body = '') => ({
      result: { url, status, headers, body, truncated: false, address: '192.0.2.80', certificate: { trusted: true, trustError: null, hostnameMatch: true } },
    })
    const { facts, status } = await gather(
      {
        [`dns MX site.test${via}`]: { result: { ok: true, rcode: 'NOERROR', records: [{ exchange: 'mx1.site.test', priority: 10 }] } },
        [`dns TXT _mta-sts.site.test${via}`]: txt('v=STSv1; id=1'),
        [`https https://mta-sts.site.test/.well-known/mta-sts.txt at ${web}`]: answer('https://mta-sts.site.test/.well-known/mta-sts.txt', 302, { location: ['https://policies.example/site.txt'] }),
        [`https https://site.test/.well-known/security.txt at ${web}`]: answer('https://site.test/.well-known/security.txt', 301, { location: ['https://www.site.test/.well-known/security.txt'] }),
        [`https https://www.site.test/.well-known/security.txt at ${web}`]: answer('https://www.site.test/.well-known/security.txt', 200, { 'content-type': ['text/html'] }, 'Contact: mailto:s@site.test\nExpires: 2026-01-01T00:00:00Z\n'),
      },
      { domains: ['site.test'], connect: { 'site.test:443': web, 'www.site.test:443': web, 'mta-sts.site.test:443': web } },
    )
    expect(facts.securityTxt?.[0]).toMatchObject({ status: 200, finalUrl: 'https://www.site.test/.well-known/security.txt', redirects: ['https://site.test/.well-known/security.txt'], contentType: 'text/html', expires: '2026-01-01T00:00:00.000Z', certificateValid: true })
    expect(status('http.security-txt.valid', 'https://site.test/.well-known/security.txt')).toMatchObject({
      status: 'fail',
      message: 'Content-Type text/html: must be text/plain; charset=utf-8 (RFC 9116 §3); expired on 2026-01-01T00:00:00.000Z: researchers treat it as stale',
    })
    expect(facts.mtaSts?.[0]?.policy).toMatchObject({ status: 302, errors: ['HTTP 302 redirect: senders do not follow redirects (RFC 8461 §3.3)'], mode: null })
    expect(status('dns.mta-sts.enforce', 'site.test')).toMatchObject({ status: 'fail', message: 'HTTP 302 redirect: senders do not follow redirects (RFC 8461 §3.3)' })
  })

  it('a corrupt probe record is an error, not a crash', async () => {
    const { status } = await gather({ [`dns TXT odd.test via ${resolver}`]: { result: { ok: true, records: 'v=spf1 -all' } } }, { domains: ['odd.test'] })
    expect(status('dns.spf.valid', 'odd.test')).toMatchObject({ status: 'error', message: `TXT odd.test: unreadable probe record for dns TXT odd.test via ${resolver}` })
  })

  it('an unreadable private CA file makes the checks that need it errors', async () => {
    const config = scanConfigSchema.parse({ tls: { caFiles: ['/etc/posture/ca.pem'] }, dns: { resolver, domains: ['x.test'] } })
    const result = await dnsGatherer.gather({ host: snapshot({}), now, config })
    expect(result.errors).toEqual({
      'dns.mx': 'tls.caFiles: file /etc/posture/ca.pem is not in the snapshot',
      'dns.mtaSts': 'tls.caFiles: file /etc/posture/ca.pem is not in the snapshot',
      'dns.securityTxt': 'tls.caFiles: file /etc/posture/ca.pem is not in the snapshot',
    })
  })
})
