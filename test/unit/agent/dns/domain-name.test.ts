import { describe, expect, it } from 'vitest'
import { normalizeDomain } from '../../../../agent/dns/domain-name.js'

describe('normalizeDomain', () => {
  it.each([
    ['Example.COM.', 'example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['_dmarc.example.test', '_dmarc.example.test'],
  ])('%s → %s', (text, name) => {
    expect(normalizeDomain(text)).toEqual({ name })
  })

  it.each([
    ['', 'empty domain name'],
    ['localhost', '"localhost" has one label: give the full domain (example.com)'],
    ['192.0.2.1', '"192.0.2.1" is an IP address, not a domain name'],
    ['a..example', '"a..example" is not a valid domain name'],
    ['-bad.example', '"-bad.example" is not a valid domain name'],
    ['has space.example', '"has space.example" is not a valid domain name'],
  ])('%j → %s', (text, error) => {
    expect(normalizeDomain(text)).toEqual({ error })
  })
})
