import { describe, expect, it } from 'vitest'
import type { DnsAnswer } from '../../../../agent/dns/dns-answer.js'
import { analyzeSpf, isSpfRecord, parseSpfRecord } from '../../../../agent/dns/spf.js'

/** A zone as TXT answers: name → records; names not listed do not exist (NXDOMAIN). */
function zone(records: Record<string, string[] | DnsAnswer<string>>) {
  return (name: string): DnsAnswer<string> => {
    const entry = records[name]
    if (entry === undefined) return { ok: true, rcode: 'NXDOMAIN', records: [] }
    return Array.isArray(entry) ? { ok: true, rcode: 'NOERROR', records: entry } : entry
  }
}

describe('isSpfRecord (RFC 7208 §4.5)', () => {
  it.each([
    ['v=spf1 -all', true],
    ['V=SPF1 mx -all', true],
    ['v=spf1', true],
    ['v=spf10 -all', false],
    ['v=spf1-all', false],
    ['google-site-verification=abc', false],
    [' v=spf1 -all', false],
  ])('%j → %s', (text, expected) => {
    expect(isSpfRecord(text)).toBe(expected)
  })
})

describe('parseSpfRecord', () => {
  it('reads qualifiers, mechanisms with domains and prefixes, and modifiers', () => {
    const record = parseSpfRecord('v=spf1 mx a:mail.example.com/28 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net ~exists:%{i}.x.example.com redirect=_spf.example.com exp=explain.example.com')
    expect(record.errors).toEqual([])
    expect(record.terms.map((t) => (t.kind === 'mechanism' ? `${t.qualifier}${t.name}:${t.value}` : `${t.name}=${t.value}`))).toEqual([
      '+mx:null',
      '+a:mail.example.com',
      '+ip4:192.0.2.0/24',
      '+ip6:2001:db8::/32',
      '+include:_spf.example.net',
      '~exists:%{i}.x.example.com',
      'redirect=_spf.example.com',
      'exp=explain.example.com',
    ])
  })

  it('is case-insensitive in mechanism names and collapses repeated spaces', () => {
    const record = parseSpfRecord('v=spf1  MX   -ALL')
    expect(record.errors).toEqual([])
    expect(record.terms).toHaveLength(2)
    expect(record.terms[1]).toMatchObject({ kind: 'mechanism', qualifier: '-', name: 'all' })
  })

  it.each([
    ['v=spf1 ip4:192.0.2.300 -all', 'ip4:192.0.2.300: "192.0.2.300" is not an IPv4 address'],
    ['v=spf1 ip4:192.0.2.0/33 -all', 'ip4:192.0.2.0/33: bad prefix length "/33"'],
    ['v=spf1 ip6:192.0.2.1 -all', 'ip6:192.0.2.1: "192.0.2.1" is not an IPv6 address'],
    ['v=spf1 include -all', 'include: "include" needs ":domain"'],
    ['v=spf1 mx all:foo', 'all:foo: "all" takes no argument'],
    ['v=spf1 a mx spf2.0/pra -all', 'unknown term "spf2.0/pra" (RFC 7208 §4.6.1)'],
    ['v=spf1 ipv4:192.0.2.1 -all', 'unknown term "ipv4:192.0.2.1" (RFC 7208 §4.6.1)'],
    ['v=spf1 redirect=a.example redirect=b.example', 'redirect= appears more than once (RFC 7208 §6)'],
  ])('%s is a permerror', (text, error) => {
    expect(parseSpfRecord(text).errors).toContain(error)
  })
})

describe('analyzeSpf', () => {
  it('a simple policy ending in -all', () => {
    const result = analyzeSpf('example.com', zone({ 'example.com': ['v=spf1 mx ip4:192.0.2.0/24 -all', 'google-site-verification=x'] }))
    expect(result).toMatchObject({ records: ['v=spf1 mx ip4:192.0.2.0/24 -all'], errors: [], all: '-all', allFrom: 'example.com', lookups: 1, needed: [], temporaryError: null })
  })

  it('asks for include targets round by round, then counts their lookups', () => {
    const answers = zone({
      'example.com': ['v=spf1 include:_spf.provider.example include:_spf2.provider.example ~all'],
      '_spf.provider.example': ['v=spf1 include:_netblocks.provider.example ?all'],
      '_spf2.provider.example': ['v=spf1 ip4:198.51.100.0/24 -all'],
      '_netblocks.provider.example': ['v=spf1 ip4:203.0.113.0/24 a mx ~all'],
    })
    const known = new Map<string, DnsAnswer<string>>()
    const lookup = (name: string) => known.get(name)
    let result = analyzeSpf('example.com', lookup)
    expect(result.needed).toEqual(['example.com'])
    const rounds: string[][] = []
    while (result.needed.length > 0) {
      rounds.push(result.needed)
      for (const name of result.needed) known.set(name, answers(name))
      result = analyzeSpf('example.com', lookup)
    }
    expect(rounds).toEqual([['example.com'], ['_spf.provider.example', '_spf2.provider.example'], ['_netblocks.provider.example']])
    // include ×3, a, mx: the includes' own "all" never decides the domain's result.
    expect(result).toMatchObject({ errors: [], all: '~all', lookups: 5, includes: ['_spf.provider.example', '_netblocks.provider.example', '_spf2.provider.example'] })
  })

  it('two SPF records are a permerror (the usual mistake after adding a provider)', () => {
    const result = analyzeSpf('example.com', zone({ 'example.com': ['v=spf1 mx -all', 'v=spf1 include:_spf.google.com ~all'], '_spf.google.com': ['v=spf1 ip4:192.0.2.0/24 ~all'] }))
    expect(result.records).toHaveLength(2)
    expect(result.errors[0]).toBe('2 SPF records at example.com: receivers must fail them all (RFC 7208 §4.5, permerror)')
  })

  it('+all is valid syntax and is reported as the effective all', () => {
    const result = analyzeSpf('example.com', zone({ 'example.com': ['v=spf1 mx +all'] }))
    expect(result).toMatchObject({ errors: [], all: '+all' })
    expect(analyzeSpf('example.com', zone({ 'example.com': ['v=spf1 mx all'] })).all).toBe('+all')
  })

  it('no all and no redirect: null (neutral)', () => {
    expect(analyzeSpf('example.com', zone({ 'example.com': ['v=spf1 mx'] }))).toMatchObject({ errors: [], all: null, allFrom: null })
  })

  it('follows redirect= for the final all, and ignores it when the record has all', () => {
    const answers = zone({ 'example.com': ['v=spf1 redirect=_spf.example.com'], '_spf.example.com': ['v=spf1 mx -all'] })
    expect(analyzeSpf('example.com', answers)).toMatchObject({ errors: [], all: '-all', allFrom: '_spf.example.com', lookups: 2 })
    const ignored = analyzeSpf('example.com', zone({ 'example.com': ['v=spf1 ~all redirect=_spf.example.com'] }))
    expect(ignored).toMatchObject({ all: '~all', lookups: 0, needed: [] })
    expect(ignored.warnings[0]).toContain('is ignored because the record has "all"')
  })

  it('detects an include loop', () => {
    const result = analyzeSpf('example.com', zone({ 'example.com': ['v=spf1 include:a.example.com -all'], 'a.example.com': ['v=spf1 include:b.example.com -all'], 'b.example.com': ['v=spf1 include:example.com -all'] }))
    expect(result.errors).toContain('lookup loop: example.com → a.example.com → b.example.com → example.com (RFC 7208 §4.6.4: evaluation exceeds the lookup limit)')
    expect(result.needed).toEqual([])
  })

  it('a record that includes itself', () => {
    const result = analyzeSpf('example.com', zone({ 'example.com': ['v=spf1 include:EXAMPLE.COM. -all'] }))
    expect(result.errors[0]).toMatch(/^lookup loop: example\.com → example\.com/)
  })

  it('counts more than 10 lookups over the tree as a permerror', () => {
    const includes = Array.from({ length: 4 }, (_, i) => `include:s${i}.example.net`).join(' ')
    const records: Record<string, string[]> = { 'example.com': [`v=spf1 mx a ${includes} -all`] }
    for (let i = 0; i < 4; i++) records[`s${i}.example.net`] = ['v=spf1 a mx ip4:192.0.2.1 ~all']
    const result = analyzeSpf('example.com', zone(records))
    expect(result.lookups).toBe(14)
    expect(result.errors).toEqual(['14 DNS-querying terms (include, a, mx, ptr, exists, redirect) over the whole tree, more than 10 (RFC 7208 §4.6.4, permerror)'])
  })

  it('exactly 10 lookups is allowed', () => {
    const result = analyzeSpf('example.com', zone({ 'example.com': ['v=spf1 a mx a:a.example.com mx:b.example.com exists:c.example.com a:d a:e a:f a:g a:h -all'] }))
    expect(result).toMatchObject({ lookups: 10, errors: [] })
  })

  it('an include with no SPF record, or that does not exist, is a permerror', () => {
    const result = analyzeSpf('example.com', zone({ 'example.com': ['v=spf1 include:gone.example.net include:nospf.example.net -all'], 'nospf.example.net': ['some other text'] }))
    expect(result.errors).toEqual([
      'include:gone.example.net (from example.com): the domain does not exist (RFC 7208 §5.2/§6.1, permerror)',
      'include:nospf.example.net (from example.com): no SPF record there (RFC 7208 §5.2/§6.1, permerror)',
    ])
  })

  it('a DNS failure below an include is a temporary error, not a verdict', () => {
    const result = analyzeSpf('example.com', zone({ 'example.com': ['v=spf1 include:flaky.example.net -all'], 'flaky.example.net': { ok: false, code: 'ESERVFAIL', reason: 'SERVFAIL' } }))
    expect(result.temporaryError).toBe('include:flaky.example.net (from example.com): TXT flaky.example.net: SERVFAIL')
  })

  it('a failure at the domain itself', () => {
    const result = analyzeSpf('example.com', zone({ 'example.com': { ok: false, code: 'ETIMEOUT', reason: 'timeout' } }))
    expect(result.temporaryError).toBe('TXT example.com: timeout')
  })

  it('no SPF record at all', () => {
    expect(analyzeSpf('example.com', zone({ 'example.com': ['v=DMARC1; p=none'] }))).toMatchObject({ records: [], errors: [], all: null })
  })

  it('does not follow macro includes, and warns about ptr and terms after all', () => {
    const result = analyzeSpf('example.com', zone({ 'example.com': ['v=spf1 ptr include:%{ir}.%{v}._spf.example.com -all mx'] }))
    expect(result.needed).toEqual([])
    expect(result.lookups).toBe(2)
    expect(result.warnings).toEqual([
      'example.com: terms after "all" are never evaluated: mx (RFC 7208 §5.1)',
      'example.com: "ptr" — ptr should not be used (RFC 7208 §5.5)',
      'include:%{ir}.%{v}._spf.example.com (from example.com): uses macros, not followed (it depends on each message)',
    ])
  })
})
