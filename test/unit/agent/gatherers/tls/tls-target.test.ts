import { describe, expect, it } from 'vitest'
import { parseTarget } from '../../../../../agent/gatherers/tls/tls-target.js'
import { tlsConfigSchema } from '../../../../../agent/gatherers/tls/tls-config.js'

describe('parseTarget', () => {
  it.each([
    ['example.com', { host: 'example.com', port: 443 }],
    ['example.com:8443', { host: 'example.com', port: 8443 }],
    ['127.0.0.1:25', { host: '127.0.0.1', port: 25 }],
    ['[::1]:443', { host: '::1', port: 443 }],
    ['[2001:db8::1]', { host: '2001:db8::1', port: 443 }],
    ['::1', { host: '::1', port: 443 }],
    ['mx1.example.invalid', { host: 'mx1.example.invalid', port: 443 }],
  ])('%s', (text, expected) => {
    expect(parseTarget(text, 443)).toEqual(expected)
  })

  it.each([
    ['', /empty/],
    ['example.com:0', /port must be 1–65535/],
    ['example.com:99999', /port/],
    ['example.com:https', /port/],
    ['2001:db8::1:443x', /brackets/],
    ['[example.com]:443', /not an IPv6 address/],
    ['exa mple.com', /not a host name/],
    ['http://example.com', /not a URL/],
  ])('refuses %j', (text, error) => {
    const parsed = parseTarget(text, 443)
    expect('error' in parsed && parsed.error).toMatch(error)
  })
})

describe('tls scan config', () => {
  it('has secure, useful defaults', () => {
    expect(tlsConfigSchema.parse({})).toEqual({ targets: [], discover: true, excludePorts: [], caFiles: [], timeoutMs: 5000, connectionsPerEndpoint: 8, endpointsAtOnce: 4 })
  })

  it('takes targets as objects or host:port strings', () => {
    const config = tlsConfigSchema.parse({ targets: ['mail.example.com:465', { host: 'mail.example.com', port: 25, starttls: 'smtp' }] })
    expect(config.targets).toEqual([
      { host: 'mail.example.com', port: 465, httpPort: 80 },
      { host: 'mail.example.com', port: 25, starttls: 'smtp', httpPort: 80 },
    ])
  })

  it('refuses misspelled keys and bad targets', () => {
    expect(tlsConfigSchema.safeParse({ target: [] }).success).toBe(false)
    expect(tlsConfigSchema.safeParse({ targets: [{ host: 'a', startls: 'smtp' }] }).success).toBe(false)
    expect(tlsConfigSchema.safeParse({ targets: ['a:b'] }).success).toBe(false)
    expect(tlsConfigSchema.safeParse({ targets: [{ host: 'a', starttls: 'xmpp' }] }).success).toBe(false)
  })
})
