import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSecurityTxt } from '../../../../agent/dns/security-txt.js'

const fixture = (name: string) => readFileSync(resolve(import.meta.dirname, '../../../fixtures/dns/security-txt', name), 'utf8')
const url = 'https://example.test/.well-known/security.txt'

describe('parseSecurityTxt (RFC 9116)', () => {
  it('the two required fields', () => {
    expect(parseSecurityTxt(fixture('minimal.txt'), url)).toMatchObject({ signed: false, contact: ['mailto:security@example.test'], expires: '2026-10-01T00:00:00.000Z', errors: [] })
  })

  it('a file signed with gpg --clearsign: fields read inside the signature frame', () => {
    const parsed = parseSecurityTxt(fixture('signed.txt'), url)
    expect(parsed).toEqual({
      signed: true,
      contact: ['mailto:security@example.test', 'https://example.test/report-a-vulnerability'],
      expires: '2026-10-01T00:00:00.000Z',
      encryption: ['https://example.test/.well-known/pgp-key.asc'],
      canonical: ['https://example.test/.well-known/security.txt'],
      policy: ['https://example.test/security-policy'],
      acknowledgments: [],
      hiring: [],
      preferredLanguages: ['en', 'de'],
      otherFields: [],
      errors: [],
    })
  })

  it('undoes dash-escaping in signed text (RFC 4880 §7.1)', () => {
    const text = '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nContact: mailto:a@example.test\n- -Expires: never\nExpires: 2026-10-01T00:00:00Z\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n'
    expect(parseSecurityTxt(text, url).errors).toEqual(['line 2: "-Expires: never" is not a "Field: value" line'])
  })

  it('a signature frame that is cut off', () => {
    const parsed = parseSecurityTxt('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:a@example.test\n', url)
    expect(parsed.signed).toBe(true)
    expect(parsed.errors).toContain('signed message without a complete "BEGIN/END PGP SIGNATURE" block')
  })

  it('CRLF line ends, a byte-order mark, a tel: contact, an offset time and CSAF', () => {
    expect(parseSecurityTxt(fixture('crlf-bom.txt'), url)).toMatchObject({ contact: ['tel:+1-201-555-0123'], expires: '2026-10-01T00:00:00.000Z', otherFields: [], errors: [] })
  })

  it('the usual mistakes', () => {
    const parsed = parseSecurityTxt(fixture('mistakes.txt'), url)
    expect(parsed.expires).toBeNull()
    expect(parsed.otherFields).toEqual(['X-Bug-Bounty'])
    expect(parsed.errors).toEqual([
      'line 12: "Please email us if you find anything" is not a "Field: value" line',
      'Contact: "security@example.test" is not a URI (an e-mail address is written mailto:…)',
      'Contact: "http://example.test/security" uses plain http: web URIs must begin with https:// (RFC 9116 §2.5)',
      'Encryption: "http://example.test/key.asc" uses plain http: web URIs must begin with https:// (RFC 9116 §2.5)',
      'Expires appears 2 times (at most once, RFC 9116 §2.5.5)',
      'Preferred-Languages appears 2 times (at most once, RFC 9116 §2.5.8)',
      'fetched from https://example.test/.well-known/security.txt, which no Canonical field lists: the file should not be trusted there (RFC 9116 §2.5.2)',
    ])
  })

  it('no Contact and no Expires', () => {
    expect(parseSecurityTxt('# only a comment\nPolicy: https://example.test/policy\n', url).errors).toEqual(['no Contact field (required, RFC 9116 §2.5.3)', 'no Expires field (required, RFC 9116 §2.5.5)'])
  })

  it('an Expires that is not RFC 3339', () => {
    expect(parseSecurityTxt(fixture('expires-not-rfc3339.txt'), url)).toMatchObject({
      expires: null,
      errors: ['Expires: "Thu, 31 Dec 2026 23:59:59 GMT" is not an RFC 3339 date-time such as 2027-01-31T23:00:00Z'],
    })
  })

  it('an HTML page served in its place', () => {
    expect(parseSecurityTxt('<!doctype html>\n<html><body>Not found</body></html>\n', url).errors).toContain('line 1: "<!doctype html>" is not a "Field: value" line')
  })
})
