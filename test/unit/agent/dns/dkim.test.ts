import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isDkimRecord, parseDkimRecord } from '../../../../agent/dns/dkim.js'

const fixture = (name: string) => readFileSync(resolve(import.meta.dirname, '../../../fixtures/dns/dkim', name), 'utf8').trim()

describe('parseDkimRecord', () => {
  it('RFC 6376 Appendix C key: RSA 1024 bits', () => {
    expect(parseDkimRecord(fixture('rfc6376-brisbane.txt'))).toMatchObject({ version: 'DKIM1', keyType: 'rsa', keyBits: 1024, revoked: false, testing: false, errors: [] })
  })

  it('RFC 8463 Appendix A key: Ed25519, the bare 32 bytes', () => {
    expect(parseDkimRecord(fixture('rfc8463-brisbane.txt'))).toMatchObject({ keyType: 'ed25519', keyBits: 256, errors: [] })
  })

  it.each(['rsa2048-spki.txt', 'rsa2048-pkcs1.txt', 'rsa2048-folded.txt'])('%s: RSA 2048 (SubjectPublicKeyInfo, RSAPublicKey, split by whitespace)', (name) => {
    expect(parseDkimRecord(fixture(name))).toMatchObject({ keyType: 'rsa', keyBits: 2048, errors: [] })
  })

  it('testing mode (t=y)', () => {
    expect(parseDkimRecord(fixture('rsa1024-testing.txt'))).toMatchObject({ keyBits: 1024, testing: true })
  })

  it('an empty p= is a revoked key', () => {
    expect(parseDkimRecord('v=DKIM1; k=rsa; p=')).toMatchObject({ revoked: true, keyBits: null, errors: [] })
  })

  it.each([
    ['v=DKIM1; k=rsa', 'no p= tag (the public key is required)'],
    ['v=DKIM1; p=not base64!', 'p= is not base64'],
    ['v=DKIM1; p=AAAA', 'p= is not an RSA public key (SubjectPublicKeyInfo or RSAPublicKey DER)'],
    ['v=DKIM1; k=ed25519; p=MCowBQYDK2VwAyEAcwSEbmFzXcoRZK+wXz8bxHvGRa8s6MMds2pixwfxLUU=', 'p= is not a 32-byte Ed25519 public key (44 bytes; RFC 8463 §4.2)'],
    ['v=DKIM1; k=dsa; p=AAAA', 'k=dsa: unknown key type (rsa or ed25519)'],
    ['k=rsa; v=DKIM1; p=', 'v=DKIM1: must be the first tag and be DKIM1'],
    ['v=DKIM2; p=', 'v=DKIM2: must be the first tag and be DKIM1'],
    ['v=DKIM1; h=sha1; p=', 'h=sha1: sha256 is not allowed, and verifiers refuse sha1 (RFC 8301 §3.1)'],
    ['v=DKIM1; p=; p=', 'tag p= appears more than once'],
  ])('%s → %s', (text, error) => {
    expect(parseDkimRecord(text).errors).toContain(error)
  })
})

describe('isDkimRecord', () => {
  it.each([
    ['v=DKIM1; p=abc', true],
    ['k=rsa; p=abc', true],
    ['p=', true],
    ['v=spf1 -all', false],
    ['some verification token', false],
  ])('%j → %s', (text, expected) => {
    expect(isDkimRecord(text)).toBe(expected)
  })
})
