import { describe, expect, it } from 'vitest'
import {
  normalisePermitRootLogin,
  parseAlgorithmList,
  parseAuthenticationMethods,
  parseSshdT,
  parseSshdTime,
  perSourcePenalties,
  sshCryptoOf,
  SshdSettings,
} from '../../../../../agent/gatherers/access/sshd-effective-config.js'
import { fixture } from './fixture.js'

function settings(name: string): SshdSettings {
  const parsed = parseSshdT(fixture(name))
  if (!parsed) throw new Error(`${name}: not an sshd -T dump`)
  return new SshdSettings(parsed)
}

describe('parseSshdT', () => {
  it('reads the Debian 12 default dump, repeated keywords in order', () => {
    const s = settings('sshd-T.debian12-default.txt')
    expect(s.value('permitrootlogin', '')).toBe('without-password')
    expect(s.flag('passwordauthentication', false)).toBe(true)
    expect(s.flag('kbdinteractiveauthentication', true)).toBe(false)
    expect(s.number('maxauthtries', 0)).toBe(6)
    expect(s.values('listenaddress')).toEqual(['[::]:22', '0.0.0.0:22'])
    expect(s.values('hostkey')).toHaveLength(3)
    expect(s.values('acceptenv')).toEqual(['LANG', 'LC_*'])
    expect(s.value('authenticationmethods', '')).toBe('any')
  })

  it('reads the hardened 2FA dump', () => {
    const s = settings('sshd-T.hardened-2fa.txt')
    expect(s.value('permitrootlogin', '')).toBe('no')
    expect(s.number('maxauthtries', 0)).toBe(3)
    expect(parseAuthenticationMethods(s.value('authenticationmethods', ''))).toEqual([['publickey', 'keyboard-interactive']])
  })

  it('returns null for an error message instead of a dump', () => {
    expect(parseSshdT('Missing privilege separation directory: /run/sshd\n')).toBeNull()
    expect(parseSshdT('')).toBeNull()
  })
})

describe('algorithm lists', () => {
  it('drops the +/^ modifiers some builds echo (jc fixture)', () => {
    const crypto = sshCryptoOf(settings('jc-sshd-T.out'))
    expect(crypto.ciphers[0]).toBe('chacha20-poly1305@openssh.com')
    expect(crypto.macs[0]).toBe('umac-64-etm@openssh.com')
    expect(parseAlgorithmList('-aes128-cbc,3des-cbc')).toEqual(['aes128-cbc', '3des-cbc'])
  })

  it('lists CBC ciphers and SHA-1 key exchange of an old server (jc sshd-T-2)', () => {
    const crypto = sshCryptoOf(settings('jc-sshd-T-2.out'))
    expect(crypto.ciphers).toEqual(expect.arrayContaining(['aes128-cbc', '3des-cbc', 'blowfish-cbc']))
    expect(crypto.kexAlgorithms).toEqual(expect.arrayContaining(['diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1']))
    expect(crypto.hostKeyAlgorithms).toEqual(expect.arrayContaining(['ssh-rsa', 'ssh-dss']))
  })
})

describe('values', () => {
  it.each([
    ['any', null],
    ['publickey', [['publickey']]],
    ['publickey,keyboard-interactive:pam publickey,password', [['publickey', 'keyboard-interactive:pam'], ['publickey', 'password']]],
  ])('AuthenticationMethods %s', (text, expected) => {
    expect(parseAuthenticationMethods(text)).toEqual(expected)
  })

  it.each([
    ['120', 120],
    ['0', 0],
    ['1m30s', 90],
    ['2h', 7200],
    ['soon', null],
  ])('LoginGraceTime %s', (text, seconds) => {
    expect(parseSshdTime(text)).toBe(seconds)
  })

  it('prints prohibit-password under its old name on OpenSSH 9.2', () => {
    expect(normalisePermitRootLogin('without-password')).toBe('prohibit-password')
    expect(normalisePermitRootLogin('no')).toBe('no')
  })

  it('PerSourcePenalties: absent before OpenSSH 9.8, "no" when disabled', () => {
    expect(perSourcePenalties(settings('sshd-T.debian12-default.txt'))).toBeNull()
    const on = new SshdSettings(new Map([['persourcepenalties', ['crash:90 authfail:5 noauth:1 grace-exceeded:10 max:600 min:15']]]))
    expect(perSourcePenalties(on)).toMatch(/authfail:5/)
    expect(perSourcePenalties(new SshdSettings(new Map([['persourcepenalties', ['no']]])))).toBeNull()
    expect(perSourcePenalties(new SshdSettings(new Map([['persourcepenalties', ['crash:90 authfail:0 noauth:1']]])))).toBeNull()
  })
})
