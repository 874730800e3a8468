import { describe, expect, it } from 'vitest'
import { isDmarcRecord, parseDmarcRecord } from '../../../../agent/dns/dmarc.js'

describe('parseDmarcRecord (RFC 7489 §6.3)', () => {
  it('an enforcing record with reports', () => {
    expect(parseDmarcRecord('v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@example.com,mailto:agg@reports.example!10m; ruf=mailto:f@example.com; adkim=s; aspf=r; fo=1')).toEqual({
      policy: 'reject',
      subdomainPolicy: 'quarantine',
      pct: 100,
      rua: ['mailto:dmarc@example.com', 'mailto:agg@reports.example!10m'],
      ruf: ['mailto:f@example.com'],
      adkim: 's',
      aspf: 'r',
      errors: [],
    })
  })

  it('p=none, the monitoring-only policy', () => {
    expect(parseDmarcRecord('v=DMARC1; p=none; rua=mailto:d@example.com')).toMatchObject({ policy: 'none', pct: 100, errors: [] })
  })

  it('pct below 100 and case-insensitive policy values', () => {
    expect(parseDmarcRecord('v=DMARC1;p=Quarantine;pct=25')).toMatchObject({ policy: 'quarantine', pct: 25, rua: [], errors: [] })
  })

  it.each([
    ['v=DMARC1; rua=mailto:d@example.com', 'no p= tag (the policy is required)'],
    ['v=DMARC1; p=rejectt', 'p=rejectt: not one of none, quarantine, reject'],
    ['v=DMARC1; p=reject; pct=150', 'pct=150: not an integer from 0 to 100'],
    ['v=DMARC1; p=reject; rua=dmarc@example.com', 'rua: "dmarc@example.com" is not a mailto: URI, the only kind every receiver sends to (RFC 7489 §6.2)'],
    ['p=reject; v=DMARC1', 'must start with v=DMARC1'],
    ['v=DMARC1; p=reject; p=none', 'tag p= appears more than once'],
    ['v=DMARC1; p reject', '"p reject" is not tag=value'],
  ])('%s → %s', (text, error) => {
    expect(parseDmarcRecord(text).errors).toContain(error)
  })

  it('recognises DMARC records among other TXT records (RFC 7489 §6.6.3)', () => {
    expect(['v=DMARC1; p=none', 'v=DMARC1', 'v=spf1 -all', 'V=DMARC1; p=none', 'v = DMARC1;p=none'].map(isDmarcRecord)).toEqual([true, true, false, false, true])
  })
})
