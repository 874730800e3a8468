import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { SnapshotHost } from '../../../../../agent/host/snapshot-host.js'
import { scanConfigSchema } from '../../../../../agent/scan-config.js'
import { buildReport, gatherFacts } from '../../../../../agent/scan.js'
import { snapshotSchemaId, type Snapshot } from '../../../../../agent/snapshot.js'
import { loadRuleSet } from '../../../../../rules/load-rules.js'

/**
 * The gatherer replayed from recorded probes (captured from `openssl s_server` and
 * `gnutls-serv` on loopback with Posture's RecordingHost): facts and findings come out of
 * the snapshot alone, as they would on an auditor's machine.
 */
const recorded = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../fixtures/tls/probes-openssl-gnutls.json', import.meta.url)), 'utf8')) as {
  gatheredAt: string
  probes: Snapshot['probes']
}
const gatheredAt = new Date(recorded.gatheredAt)

function snapshot(extra: Partial<Snapshot> = {}): Snapshot {
  return {
    schema: snapshotSchemaId,
    postureVersion: '0.0.0',
    host: { description: 'test' },
    gatheredAt: recorded.gatheredAt,
    domains: ['tls', 'http'],
    files: {},
    dirs: {},
    commands: {},
    probes: recorded.probes,
    ...extra,
  }
}

const targets = [
  { host: '127.0.0.1', port: 44301, servername: 'localhost', httpPort: null },
  { host: '127.0.0.1', port: 44302, servername: 'localhost', httpPort: null },
]
const config = scanConfigSchema.parse({ tls: { discover: false, targets } })

describe('tls gatherer on a snapshot', () => {
  it('turns the recorded probes into endpoint and site facts', async () => {
    const { facts, factErrors } = await gatherFacts(new SnapshotHost(snapshot(), 'fixture'), ['tls', 'http'], config, gatheredAt)
    expect(Object.keys(factErrors).filter((k) => k.startsWith('tls') || k.startsWith('http'))).toEqual([])
    const [openssl, gnutls] = facts.tls!.endpoints!
    expect(openssl).toMatchObject({
      target: '127.0.0.1:44301',
      servername: 'localhost',
      service: 'https',
      protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
      certificate: { subject: 'CN=localhost', trusted: true, trustedBy: 'private', chainComplete: true, hostnameMatch: true, keyType: 'rsa', keyBits: 2048 },
      grade: { grade: 'F' },
      hsts: null,
    })
    expect(openssl!.ciphers!.filter((c) => c.au === 'anon').length).toBeGreaterThan(0)
    expect(openssl!.keyExchange!.groups).toContain('x25519')
    expect(gnutls).toMatchObject({ target: '127.0.0.1:44302', protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'], grade: { grade: 'C' } })
    expect(gnutls!.ciphers!.map((c) => c.name)).toEqual(expect.arrayContaining(['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_RSA_WITH_RC4_128_SHA']))
    expect(facts.http!.sites!.map((s) => [s.target, s.status, s.hsts])).toEqual([
      ['https://localhost:44301/', 200, null],
      ['https://localhost:44302/', 200, null],
    ])
  })

  it('evaluates the same findings on every replay', async () => {
    const ruleSet = loadRuleSet()
    const report = async () => {
      const gathered = await gatherFacts(new SnapshotHost(snapshot(), 'fixture'), ['tls', 'http'], config, gatheredAt)
      return buildReport(gathered, { ruleSet, domains: ['tls', 'http'], now: gatheredAt, scanId: 'x', source: 'fixture', startedAt: gatheredAt, finishedAt: gatheredAt })
    }
    const first = await report()
    const status = (rule: string, target: string) => first.findings.find((f) => f.rule === rule && f.target === target)?.status
    expect(status('tls.protocol.legacy-disabled', '127.0.0.1:44301')).toBe('fail')
    expect(status('tls.protocol.tls13', '127.0.0.1:44301')).toBe('pass')
    expect(status('tls.protocol.tls13', '127.0.0.1:44302')).toBe('fail')
    expect(status('tls.cipher.weak-disabled', '127.0.0.1:44302')).toBe('fail')
    expect(status('tls.cipher.forward-secrecy', '127.0.0.1:44302')).toBe('fail')
    expect(status('tls.cert.trusted', '127.0.0.1:44301')).toBe('pass')
    expect(status('tls.cert.hostname', '127.0.0.1:44301')).toBe('pass')
    expect(status('tls.cert.expired', '127.0.0.1:44301')).toBe('pass')
    expect(status('tls.grade', '127.0.0.1:44302')).toBe('fail')
    expect(status('http.hsts.present', 'https://localhost:44301/')).toBe('fail')
    expect(first.findings.find((f) => f.rule === 'tls.cipher.weak-disabled' && f.target === '127.0.0.1:44302')!.message).toMatch(/TLSv1.2 TLS_RSA_WITH_3DES_EDE_CBC_SHA/)
    expect(JSON.stringify((await report()).findings)).toBe(JSON.stringify(first.findings))
  })

  it('turns red on the right day: the expiry rules read the scan clock, not the gather clock', async () => {
    const ruleSet = loadRuleSet()
    const gathered = await gatherFacts(new SnapshotHost(snapshot(), 'fixture'), ['tls'], config, gatheredAt)
    const notAfter = new Date(gathered.facts.tls!.endpoints![0]!.certificate!.notAfter)
    const at = (now: Date) => buildReport(gathered, { ruleSet, domains: ['tls'], now, scanId: 'x', source: 'fixture', startedAt: now, finishedAt: now })
    const expired = (now: Date) => at(now).findings.find((f) => f.rule === 'tls.cert.expired' && f.target === '127.0.0.1:44301')!.status
    expect(expired(new Date(notAfter.getTime() - 60_000))).toBe('pass')
    expect(expired(new Date(notAfter.getTime() + 60_000))).toBe('fail')
  })

  it('reports an endpoint that was not recorded as an error item, never as a pass', async () => {
    const cfg = scanConfigSchema.parse({ tls: { discover: false, targets: [{ host: '127.0.0.1', port: 1 }] } })
    const { facts } = await gatherFacts(new SnapshotHost(snapshot(), 'fixture'), ['tls'], cfg, gatheredAt)
    expect(facts.tls!.endpoints).toEqual([{ target: '127.0.0.1:1', error: 'probe tls 127.0.0.1:1 is not in the snapshot' }])
  })

  it('discovers listening sockets, skips those recorded as not TLS, and reports a failed listing', async () => {
    const ss = 'LISTEN 0 4096 127.0.0.1:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))\n'
    const withListing = snapshot({
      commands: { 'ss -H -tlnp': { stdout: ss, stderr: '', exitCode: 0 } },
      probes: { 'tls 127.0.0.1:22 sni=none': { result: { notTls: '127.0.0.1:22: not a TLS server (not a TLS record; it sent "SSH-2.0-OpenSSH_9.2p1")' } } },
    })
    const discover = scanConfigSchema.parse({})
    const found = await gatherFacts(new SnapshotHost(withListing, 'fixture'), ['tls'], discover, gatheredAt)
    expect(found.facts.tls!.endpoints).toEqual([])
    const failed = await gatherFacts(new SnapshotHost(snapshot(), 'fixture'), ['tls'], discover, gatheredAt)
    expect(failed.facts.tls!.endpoints).toEqual([{ target: 'discovery', error: 'cannot list listening sockets: command ss -H -tlnp is not in the snapshot' }])
  })
})
