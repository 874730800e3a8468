import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { dnsConfigSchema } from '../../../../../agent/gatherers/dns/dns-config.js'
import { scanConfigSchema } from '../../../../../agent/scan-config.js'

describe('scan config: dns section', () => {
  it('secure, quiet defaults: no domains, the system resolver', () => {
    expect(scanConfigSchema.parse({}).dns).toEqual({ domains: [], resolver: null, timeoutMs: 3000, tries: 2, connectTimeoutMs: 10000, connect: {}, domainsAtOnce: 4 })
  })

  it('domains as objects or shorthand strings, normalised', () => {
    const config = dnsConfigSchema.parse({
      domains: ['Example.COM.', { name: 'bücher.example', dkimSelectors: ['s1', '2024._mail'], allowedCas: ['LetsEncrypt.org'] }],
      resolver: '192.0.2.53',
      connect: { 'MX1.Example.COM.:25': '192.0.2.25:2525', 'www.example.com:443': '[2001:db8::1]:443' },
    })
    expect(config.domains).toEqual([
      { name: 'example.com', dkimSelectors: [], allowedCas: [] },
      { name: 'xn--bcher-kva.example', dkimSelectors: ['s1', '2024._mail'], allowedCas: ['letsencrypt.org'] },
    ])
    expect(config.resolver).toBe('192.0.2.53:53')
    expect(config.connect).toEqual({ 'mx1.example.com:25': '192.0.2.25:2525', 'www.example.com:443': '[2001:db8::1]:443' })
  })

  it.each([
    [{ domains: ['localhost'] }, 'domains.0.name', '"localhost" has one label: give the full domain (example.com)'],
    [{ domains: [{ name: 'example.com', selectors: ['s1'] }] }, 'domains.0', 'Unrecognized key: "selectors"'],
    [{ resolver: 'dns.google' }, 'resolver', '"dns.google": a resolver is an IP address with an optional port (127.0.0.1:5353, [::1]:53)'],
    [{ connect: { 'mx.example.com': '192.0.2.1:25' } }, 'connect.mx.example.com', '"mx.example.com": expected HOST:PORT'],
    [{ connect: { 'mx.example.com:25': 'mx2.example.com:25' } }, 'connect.mx.example.com:25', '"mx2.example.com:25": expected ADDRESS:PORT (an IP literal)'],
    [{ timeoutMs: 10 }, 'timeoutMs', 'Too small: expected number to be >=100'],
    [{ domain: ['example.com'] }, '', 'Unrecognized key: "domain"'],
  ])('%j is refused at %s', (input, path, message) => {
    const result = dnsConfigSchema.safeParse(input)
    expect(result.success).toBe(false)
    const issue = (result.error as z.ZodError).issues[0]!
    expect({ path: issue.path.join('.'), message: issue.message }).toEqual({ path, message })
  })
})
