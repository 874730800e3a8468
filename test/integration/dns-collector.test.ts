import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { domainIdentity } from '../../agent/gatherers/dns/domain-report.js'
import { buildCollector, type Collector } from '../../collector/build-collector.js'
import { resolveCollectorConfig, type CollectorConfigInput } from '../../collector/collector-config.js'
import { createDomainChecks, type DomainCheckRun } from '../../collector/domains/domain-checks-plugin.js'
import { createTestPki, startHttpsServer, startSmtpServer, type RunningServer } from '../helpers/dns-endpoints.js'
import { closedUdpPort, nsdPath, startNsd, type DnsServer } from '../helpers/dns-server.js'

/**
 * The collector checks its configured domains when it starts (and every intervalMs) and
 * stores each domain's report like a node's, beside the nodes; re-scoring (a waiver) keeps
 * the findings it had. A resolver the collector cannot reach stores nothing.
 */
const fixtures = resolve(import.meta.dirname, '../fixtures/dns')
const zone = (name: string) => readFileSync(join(fixtures, 'zones', `${name}.zone`), 'utf8')
const runs = nsdPath !== null || Boolean(process.env.CI)
if (!runs) console.warn('SKIPPED test/integration/dns-collector.test.ts: nsd is not installed (apt-get install nsd); CI installs it')

async function startWithDomainChecks(dataDir: string, domainChecks: CollectorConfigInput['domainChecks']): Promise<{ collector: Collector; firstRun: Promise<DomainCheckRun> }> {
  const config = resolveCollectorConfig({}, { dataDir, listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 }, tls: { insecureHttp: true }, domainChecks }, dataDir)
  const checks = createDomainChecks()
  const collector = await buildCollector(config, { logger: pino({ level: 'silent' }), plugins: [checks.plugin] })
  await collector.start()
  // The first round started on onReady; runNow joins it rather than starting another.
  return { collector, firstRun: checks.runNow()! }
}

describe.skipIf(!runs)('collector domain checks', () => {
  let nsd: DnsServer
  const servers: RunningServer[] = []
  const collectors: Collector[] = []
  let dir: string

  beforeAll(async () => {
    nsd = await startNsd({ 'good.test': zone('good.test'), 'loop.test': zone('loop.test') })
    dir = mkdtempSync(join(tmpdir(), 'posture-domain-collector-'))
  }, 60_000)

  afterAll(async () => {
    for (const c of collectors) await c.close()
    await Promise.all(servers.map((s) => s.close()))
    await nsd?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('stores one report per domain beside the nodes, and re-scoring keeps its findings', async () => {
    const now = new Date()
    const pki = await createTestPki(now)
    writeFileSync(join(dir, 'ca.pem'), pki.caPem)
    const https = await startHttpsServer(
      { 'good.test': await pki.issue(['good.test']), 'mta-sts.good.test': await pki.issue(['mta-sts.good.test']), 'loop.test': await pki.issue(['loop.test']) },
      {
        'mta-sts.good.test/.well-known/mta-sts.txt': { contentType: 'text/plain', body: 'version: STSv1\nmode: enforce\nmx: mx1.good.test\nmax_age: 604800\n' },
        'good.test/.well-known/security.txt': { contentType: 'text/plain; charset=utf-8', body: `Contact: mailto:security@good.test\nExpires: ${new Date(now.getTime() + 30 * 86_400_000).toISOString()}\n` },
      },
    )
    const mx = await startSmtpServer({ hostname: 'mx1.good.test', identity: await pki.issue(['mx1.good.test']) })
    servers.push(https, mx)
    const { collector, firstRun } = await startWithDomainChecks(join(dir, 'data'), {
      domains: [{ name: 'good.test', dkimSelectors: ['s1'], allowedCas: ['letsencrypt.org'] }, 'loop.test'],
      resolver: nsd.address,
      caFiles: [join(dir, 'ca.pem')],
      connect: { 'good.test:443': `127.0.0.1:${https.port}`, 'mta-sts.good.test:443': `127.0.0.1:${https.port}`, 'loop.test:443': `127.0.0.1:${https.port}`, 'mx1.good.test:25': `127.0.0.1:${mx.port}` },
    })
    collectors.push(collector)
    const run = await firstRun
    expect(run.failed).toEqual([])
    expect(run.stored.map((s) => s.domain)).toEqual(['good.test', 'loop.test'])

    const good = domainIdentity('good.test')
    const loop = domainIdentity('loop.test')
    const nodes = await collector.store.listNodes()
    expect(nodes.map((n) => ({ id: n.id, hostname: n.hostname, labels: n.labels, agentId: n.agentId })).sort((a, b) => a.hostname.localeCompare(b.hostname))).toEqual([
      { id: good.id, hostname: 'good.test', labels: { kind: 'domain' }, agentId: null },
      { id: loop.id, hostname: 'loop.test', labels: { kind: 'domain' }, agentId: null },
    ])
    expect(nodes.find((n) => n.id === good.id)?.score).toBe(100)

    const statuses = async (nodeId: string) => Object.fromEntries((await collector.store.latestReport(nodeId))!.findings.filter((f) => f.status !== 'na').map((f) => [`${f.rule} ${f.target}`, f.status]))
    const loopBefore = await statuses(loop.id)
    expect(loopBefore).toEqual({
      'dns.spf.valid loop.test': 'fail',
      'dns.dmarc.enforcing loop.test': 'fail',
      'dns.caa.present loop.test': 'fail',
      'http.security-txt.valid https://loop.test/.well-known/security.txt': 'fail',
    })
    expect(Object.values(await statuses(good.id)).every((s) => s === 'pass')).toBe(true)

    // A waiver on one domain re-scores its stored facts: the waived finding changes, nothing else does.
    await collector.putWaiver({ id: 'caa-loop', rule: 'dns.caa.present', node: loop.id, justification: 'CAA is being rolled out', approver: 'security@example.test', created: now.toISOString(), expires: new Date(now.getTime() + 86_400_000).toISOString() })
    expect(await statuses(loop.id)).toEqual({ ...loopBefore, 'dns.caa.present loop.test': 'waived' })
    expect(Object.values(await statuses(good.id)).every((s) => s === 'pass')).toBe(true)
  }, 120_000)

  it('stores nothing when the resolver cannot be reached', async () => {
    const port = await closedUdpPort()
    const { collector, firstRun } = await startWithDomainChecks(join(dir, 'data-2'), { domains: ['good.test'], resolver: `127.0.0.1:${port}`, timeoutMs: 300, tries: 1 })
    collectors.push(collector)
    const run = await firstRun
    expect(run.stored).toEqual([])
    expect(run.failed).toEqual([{ domain: 'good.test', reason: expect.stringMatching(new RegExp(`^the resolver \\(127\\.0\\.0\\.1:${port}\\) could not be reached: .*\\(ECONNREFUSED\\)$`)) }])
    expect(await collector.store.listNodes()).toEqual([])
  }, 60_000)
})
