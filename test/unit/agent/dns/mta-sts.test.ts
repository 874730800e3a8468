import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isMtaStsRecord, mxMatchesPattern, parseMtaStsPolicy, parseMtaStsRecord, uncoveredMxHosts } from '../../../../agent/dns/mta-sts.js'

const fixture = (name: string) => readFileSync(resolve(import.meta.dirname, '../../../fixtures/dns/mta-sts', name), 'utf8')

describe('MTA-STS TXT record (RFC 8461 §3.1)', () => {
  it('reads the id', () => {
    expect(parseMtaStsRecord('v=STSv1; id=20160831085700Z;')).toEqual({ id: '20160831085700Z', errors: [] })
  })

  it.each([
    ['v=STSv1;', 'no id= (it tells senders when the policy changed)'],
    ['v=STSv1; id=2016-08-31', 'id=2016-08-31: must be 1 to 32 letters and digits'],
    ['v=STSv1; id=123456789012345678901234567890123', 'id=123456789012345678901234567890123: must be 1 to 32 letters and digits'],
  ])('%s → %s', (text, error) => {
    expect(parseMtaStsRecord(text)).toMatchObject({ id: null, errors: [error] })
  })

  it('only records beginning with "v=STSv1;" count', () => {
    expect(['v=STSv1; id=1', 'v=STSv1;id=1', 'v=STSv2; id=1', 'id=1; v=STSv1', 'v=spf1 -all'].map(isMtaStsRecord)).toEqual([true, true, false, false, false])
  })
})

describe('MTA-STS policy file (RFC 8461 §3.2)', () => {
  it('an enforce policy with two mx patterns', () => {
    expect(parseMtaStsPolicy(fixture('enforce.txt'))).toEqual({ version: 'STSv1', mode: 'enforce', mx: ['mx1.example.test', '*.backup.example.test'], maxAgeSeconds: 1209600, errors: [] })
  })

  it('a policy in testing mode, with CRLF line ends', () => {
    expect(parseMtaStsPolicy(fixture('testing-crlf.txt'))).toEqual({ version: 'STSv1', mode: 'testing', mx: ['mx1.example.test'], maxAgeSeconds: 86400, errors: [] })
  })

  it('the usual mistakes', () => {
    const policy = parseMtaStsPolicy(fixture('mistakes.txt'))
    expect(policy.mode).toBeNull()
    expect(policy.errors).toEqual([
      'line 5: "this line has no colon" is not "key: value"',
      'no "version: STSv1"',
      'mode appears 2 times',
      'mode: enforced is not enforce, testing or none',
      'max_age: 99999999999 is not an integer from 0 to 31557600',
      'mx: mail..example.test is not a host name or *.domain pattern',
    ])
  })

  it('mode: none needs no mx pattern; the others do', () => {
    expect(parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 86400\n').errors).toEqual([])
    expect(parseMtaStsPolicy('version: STSv1\nmode: enforce\nmax_age: 86400\n').errors).toEqual(['no mx: pattern (a policy must name the MX hosts it allows)'])
  })
})

describe('mx patterns (RFC 8461 §4.1)', () => {
  it.each([
    ['mx1.example.com', 'mx1.example.com', true],
    ['MX1.Example.COM.', 'mx1.example.com', true],
    ['mx1.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['a.b.example.com', '*.example.com', false],
    ['mx1.example.com', 'mx2.example.com', false],
    ['mx1.example.community', '*.example.com', false],
  ])('%s against %s → %s', (host, pattern, expected) => {
    expect(mxMatchesPattern(host, pattern)).toBe(expected)
  })

  it('lists the MX hosts no pattern covers', () => {
    expect(uncoveredMxHosts(['mx1.example.test', 'mx2.backup.example.test', 'mail.provider.example'], ['mx1.example.test', '*.backup.example.test'])).toEqual(['mail.provider.example'])
  })
})
