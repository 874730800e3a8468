import { describe, expect, it } from 'vitest'
import { analyzeCaa, caaSearchNames } from '../../../../agent/dns/caa.js'

describe('analyzeCaa (RFC 8659)', () => {
  it('collects issuers from issue and issuewild, without parameters, duplicates or case', () => {
    const result = analyzeCaa([
      { critical: false, tag: 'issue', value: 'letsencrypt.org' },
      { critical: false, tag: 'issue', value: 'DigiCert.com; cansignhttpexchanges=yes' },
      { critical: false, tag: 'issuewild', value: 'letsencrypt.org.' },
      { critical: false, tag: 'iodef', value: 'mailto:security@example.com' },
    ])
    expect(result).toEqual({ issuers: ['letsencrypt.org', 'digicert.com'], unknownCriticalTags: [], errors: [] })
  })

  it('";" names no CA (no issuance allowed)', () => {
    expect(analyzeCaa([{ critical: false, tag: 'issuewild', value: ';' }]).issuers).toEqual([''])
  })

  it('an unknown tag marked critical blocks every CA', () => {
    expect(analyzeCaa([{ critical: true, tag: 'tbs', value: 'x' }, { critical: true, tag: 'issue', value: 'letsencrypt.org' }]).unknownCriticalTags).toEqual(['tbs'])
  })

  it('an issuer that is not a domain', () => {
    expect(analyzeCaa([{ critical: false, tag: 'issue', value: 'https://ca.example' }]).errors).toEqual(['issue "https://ca.example": "https://ca.example" is not a domain name (RFC 8659 §4.2)'])
  })
})

describe('caaSearchNames (RFC 8659 §3)', () => {
  it('climbs to the parent domains, never the TLD', () => {
    expect(caaSearchNames('www.shop.example.com')).toEqual(['www.shop.example.com', 'shop.example.com', 'example.com'])
    expect(caaSearchNames('Example.TEST.')).toEqual(['example.test'])
  })
})
