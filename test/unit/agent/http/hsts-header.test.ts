import { describe, expect, it } from 'vitest'
import { parseHsts } from '../../../../agent/http/hsts-header.js'

describe('parseHsts (RFC 6797)', () => {
  it('returns null when the response has no header', () => {
    expect(parseHsts([])).toBeNull()
  })

  it('parses the usual header', () => {
    expect(parseHsts(['max-age=63072000; includeSubDomains; preload'])).toEqual({
      fieldCount: 1,
      value: 'max-age=63072000; includeSubDomains; preload',
      valid: true,
      errors: [],
      maxAge: 63072000,
      includeSubDomains: true,
      preload: true,
      unknownDirectives: [],
    })
  })

  it.each([
    ['Max-Age=31536000; INCLUDESUBDOMAINS', 31536000, true, false],
    ['max-age="31536000"; includeSubDomains', 31536000, true, false], // §6.1.1: quoted-string allowed
    ['  max-age = 600 ;preload ', 600, false, true],
    ['max-age=0', 0, false, false],
    ['max-age=0123', 123, false, false],
    ['includeSubDomains; max-age=10;', 10, true, false], // order is not significant; empty directive allowed
    ['max-age=10; report-uri="https://r.example/a;b"', 10, false, false], // unknown directive with a quoted ';'
  ])('accepts %j', (value, maxAge, includeSubDomains, preload) => {
    const hsts = parseHsts([value])!
    expect(hsts.errors).toEqual([])
    expect(hsts).toMatchObject({ valid: true, maxAge, includeSubDomains, preload })
  })

  it('ignores unknown directives but lists them', () => {
    expect(parseHsts(['max-age=10; foo=bar; baz'])!.unknownDirectives).toEqual(['foo', 'baz'])
  })

  it.each([
    ['max-age=1; max-age=2', /max-age appears more than once/],
    ['max-age=1; includeSubDomains; IncludeSubdomains', /includeSubDomains appears more than once/i],
    ['includeSubDomains', /max-age is missing/],
    ['max-age=abc', /max-age must be a number/],
    ['max-age=-1', /max-age must be a number/],
    ['max-age', /max-age must be a number of seconds, got no value/],
    ['max-age=10, max-age=20', /unexpected ","/],
    ['max-age="10', /unterminated/],
    ['max-age=10; includeSubDomains=yes', /includeSubDomains takes no value/],
    ['max-age=', /has no value/],
  ])('rejects %j as invalid', (value, error) => {
    const hsts = parseHsts([value])!
    expect(hsts.valid).toBe(false)
    expect(hsts.errors.join('; ')).toMatch(error)
  })

  it('flags more than one field and evaluates the first (§7.1, §8.1)', () => {
    const hsts = parseHsts(['max-age=31536000', 'max-age=0'])!
    expect(hsts).toMatchObject({ fieldCount: 2, value: 'max-age=31536000', valid: true, maxAge: 31536000 })
    expect(hsts.errors).toEqual(['2 Strict-Transport-Security fields (RFC 6797 §7.1 allows one; browsers use the first)'])
  })
})
