import { afterEach, describe, expect, it } from 'vitest'
import { checkDomains } from '../../agent/gatherers/dns/check-domains.js'
import { dnsConfigSchema } from '../../agent/gatherers/dns/dns-config.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { buildReport } from '../../agent/scan.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { closedUdpPort, startFakeResolver, type DnsServer, type FakeResolverMode } from '../helpers/dns-server.js'

/**
 * A resolver that fails: SERVFAIL, a truncated answer whose TCP retry is refused, no
 * answer at all, nothing listening. Every check that needed DNS is `error` with the
 * reason — never pass, never a made-up fail — and the tally tells an unreachable
 * resolver (which `posture domain` turns into exit 3) from one that answers badly.
 */
const ruleSet = loadRuleSet()
let server: DnsServer | null = null

afterEach(async () => {
  await server?.stop()
  server = null
})

async function checkThrough(resolver: string) {
  const now = new Date()
  const { domains, ...dns } = dnsConfigSchema.parse({ resolver, timeoutMs: 300, tries: 1, connectTimeoutMs: 1000, domains: [{ name: 'example.test', dkimSelectors: ['s1'] }] })
  const checked = await checkDomains(new LocalHost(), { domains, dns, caPems: [], connectionsPerEndpoint: 2, now })
  const report = buildReport({ facts: { dns: checked.facts }, factErrors: {} }, { ruleSet, domains: ['dns', 'http'], now, scanId: 't', source: 't', startedAt: now, finishedAt: now })
  const findings = report.findings.filter((f) => f.domain === 'dns' || f.rule === 'http.security-txt.valid')
  return { checked, findings }
}

describe('dns checks through a failing resolver', () => {
  it.each([
    ['servfail', 'the resolver answered SERVFAIL (it could not get an answer, e.g. broken DNSSEC or unreachable name servers) (ESERVFAIL)', { unreachable: 0 }],
    ['truncated', 'connection to the resolver refused: it is not listening, or it truncated its UDP answer and refused the TCP retry (ECONNREFUSED)', { unreachable: 'all' }],
    ['silent', 'no answer from the resolver (timeout) (ETIMEOUT)', { unreachable: 'all' }],
  ] as const)('%s: every finding is error, with the reason', async (mode, reason, expected) => {
    const fake = await startFakeResolver(mode as FakeResolverMode)
    server = fake
    const { checked, findings } = await checkThrough(fake.address)
    expect(fake.queries()).toBeGreaterThan(0)
    expect(findings.map((f) => f.rule).sort()).toEqual(['dns.caa.present', 'dns.dkim.valid', 'dns.dmarc.enforcing', 'dns.mta-sts.enforce', 'dns.mx.starttls', 'dns.spf.valid', 'dns.tls-rpt.present', 'http.security-txt.valid'])
    for (const f of findings) {
      expect(f.status, `${f.rule}: ${f.message}`).toBe('error')
      expect(f.message, f.rule).toContain(reason)
    }
    expect(findings.find((f) => f.rule === 'dns.dmarc.enforcing')?.message).toBe(`TXT _dmarc.example.test: ${reason}`)
    expect(checked.resolver.answered).toBe(0)
    expect(checked.resolver.failed).toBeGreaterThan(0)
    expect(checked.resolver.unreachable).toBe(expected.unreachable === 'all' ? checked.resolver.failed : 0)
  })

  it('nothing listening: unreachable, like a timeout', async () => {
    const port = await closedUdpPort()
    const { checked, findings } = await checkThrough(`127.0.0.1:${port}`)
    expect(findings.every((f) => f.status === 'error')).toBe(true)
    expect(checked.resolver).toMatchObject({ label: `127.0.0.1:${port}`, answered: 0 })
    expect(checked.resolver.unreachable).toBe(checked.resolver.failed)
    expect(checked.resolver.firstFailure).toMatch(/\(ECONNREFUSED\)$/)
  })
})
