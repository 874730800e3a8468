import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { CommandResult, Host, RunOptions } from '../../agent/host/host.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { SnapshotHost } from '../../agent/host/snapshot-host.js'
import { gatherSnapshot } from '../../agent/gather-snapshot.js'
import { scanConfigSchema } from '../../agent/scan-config.js'
import { buildReport, gatherFacts } from '../../agent/scan.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { hasTool, mozillaIntermediateCiphers, startBadServer, startHttpServer, startHttpsServer, TestPki, type Running } from './tls-servers.js'

/**
 * The gatherer inside `posture scan`: it lists the node's listening sockets and probes the
 * ones that answer TLS. This machine runs other tests' servers too, so the listing is the
 * one thing faked: a Host that answers `ss -H -tlnp` with our servers only and does
 * everything else (the probes) for real through LocalHost.
 */
class ListingHost extends LocalHost {
  constructor(private readonly listing: string) {
    super()
  }

  override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    if (argv.join(' ') === 'ss -H -tlnp') return { stdout: this.listing, stderr: '', exitCode: 0 }
    return super.run(argv, options)
  }
}

const hasOpenssl = hasTool('openssl')
if (!hasOpenssl) {
  if (process.env.CI) throw new Error('openssl is missing in CI (apt-get install openssl)')
  console.warn('SKIPPING the TLS scan integration test: the openssl CLI (used to make test certificates) is not installed')
}

let pki: TestPki
let caFile: string
const running: Running[] = []
beforeAll(async () => {
  if (!hasOpenssl) return
  pki = await TestPki.create()
  caFile = join(pki.dir, 'root.pem')
  writeFileSync(caFile, pki.root.cert)
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()))
})
afterAll(() => pki?.close())

describe.skipIf(!hasOpenssl)('posture scan: the node\'s own TLS endpoints', { timeout: 60_000 }, () => {
  it('finds the listening sockets that speak TLS, skips SSH and plain HTTP, and replays identically from a snapshot', async () => {
    const leaf = await pki.issue({ name: 'node.test', sans: ['DNS:node.test'] })
    const https = await startHttpsServer({ key: readFileSync(leaf.key), cert: leaf.chain, ciphers: mozillaIntermediateCiphers, headers: [['Strict-Transport-Security', 'max-age=63072000']] })
    const ssh = await startBadServer('ssh-banner')
    const plain = await startHttpServer(null)
    running.push(https, ssh, plain)
    const listing = [https, ssh, plain].map((s) => `LISTEN 0 511 127.0.0.1:${s.port} 0.0.0.0:* users:(("test",pid=1,fd=3))`).join('\n') + '\n'
    const config = scanConfigSchema.parse({ tls: { caFiles: [caFile], timeoutMs: 2000 } })
    const host = new ListingHost(listing)
    const now = new Date()

    const snapshot = await gatherSnapshot(host, ['tls', 'http'], config, now)
    const live = await gatherFacts(new SnapshotHost(snapshot, 'recorded'), ['tls', 'http'], config, now)
    const endpoints = live.facts.tls!.endpoints!
    expect(endpoints.map((e) => e.target)).toEqual([`127.0.0.1:${https.port}`])
    expect(endpoints[0]).toMatchObject({ servername: null, service: 'https', protocols: ['TLSv1.2', 'TLSv1.3'], certificate: { trusted: true, hostnameMatch: null } })
    expect(live.facts.http!.sites!.map((s) => s.target)).toEqual([`https://127.0.0.1:${https.port}/`])
    expect(Object.keys(snapshot.probes).sort()).toEqual(
      [`http https://127.0.0.1:${https.port}/`, `tls 127.0.0.1:${https.port} sni=none`, `tls 127.0.0.1:${plain.port} sni=none`, `tls 127.0.0.1:${ssh.port} sni=none`].sort(),
    )
    expect(snapshot.probes[`tls 127.0.0.1:${ssh.port} sni=none`]).toEqual({ result: { notTls: expect.stringMatching(/not a TLS server.*SSH-2\.0/) } })
    expect(snapshot.files[caFile]).toEqual({ content: pki.root.cert })

    // The findings: the name check does not apply without a configured name; the rest evaluate.
    const ruleSet = loadRuleSet()
    const report = buildReport(live, { ruleSet, domains: ['tls', 'http'], now, scanId: 's', source: 'test', startedAt: now, finishedAt: now })
    const byRule = (rule: string) => report.findings.find((f) => f.rule === rule)!
    expect(byRule('tls.cert.hostname')).toMatchObject({ status: 'na', message: expect.stringMatching(/list the endpoint in tls\.targets/) })
    expect(byRule('tls.protocol.legacy-disabled').status).toBe('pass')
    expect(byRule('http.hsts.present').status).toBe('pass')

    // Replaying the snapshot again gives the same facts, byte for byte.
    const replay = await gatherFacts(new SnapshotHost(snapshot, 'recorded'), ['tls', 'http'], config, now)
    expect(JSON.stringify(replay.facts.tls)).toBe(JSON.stringify(live.facts.tls))
  })

  it('probes configured targets by name as well, and records an unreachable one as an error finding', async () => {
    const leaf = await pki.issue({ name: 'localhost' })
    const https = await startHttpsServer({ key: readFileSync(leaf.key), cert: leaf.chain, ciphers: mozillaIntermediateCiphers })
    running.push(https)
    const config = scanConfigSchema.parse({
      tls: { discover: false, caFiles: [caFile], targets: [{ host: '127.0.0.1', port: https.port, servername: 'localhost', httpPort: null }, 'unreachable.invalid:443'] },
    })
    const gathered = await gatherFacts(new LocalHost(), ['tls', 'http'], config, new Date())
    const [named, unreachable] = gathered.facts.tls!.endpoints!
    expect(named).toMatchObject({ servername: 'localhost', certificate: { hostnameMatch: true, trusted: true } })
    expect(unreachable).toEqual({ target: 'unreachable.invalid:443', error: 'unreachable.invalid: name does not resolve (ENOTFOUND: .invalid names never exist, RFC 6761)' })
    const report = buildReport(gathered, { ruleSet: loadRuleSet(), domains: ['tls'], now: new Date(), scanId: 's', source: 'test', startedAt: new Date(), finishedAt: new Date() })
    expect(report.findings.filter((f) => f.target === 'unreachable.invalid:443').every((f) => f.status === 'error')).toBe(true)
  })
})
