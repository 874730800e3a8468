import { describe, expect, it } from 'vitest'
import { hashMethodName, loginDefsHashMethod, pamUnixHashMethod, parseLoginDefs, passMaxDays, uidMin } from '../../../../../agent/gatherers/access/login-defs.js'
import { isIncludedName, parseSudoers } from '../../../../../agent/gatherers/access/sudoers.js'
import { fixture } from './fixture.js'

describe('login.defs', () => {
  it('Debian 12: SHA512, passwords never expire, UID_MIN 1000', () => {
    const defs = parseLoginDefs(fixture('debian12/login.defs'))
    expect(loginDefsHashMethod(defs)).toBe('sha512crypt')
    expect(passMaxDays(defs)).toBe(99999)
    expect(uidMin(defs)).toBe(1000)
  })

  it('no ENCRYPT_METHOD means DES (login.defs(5))', () => {
    const defs = parseLoginDefs(fixture('written/login.defs.no-method'))
    expect(loginDefsHashMethod(defs)).toBe('descrypt')
    expect(passMaxDays(defs)).toBe(90)
    expect(loginDefsHashMethod(new Map([['MD5_CRYPT_ENAB', 'yes']]))).toBe('md5crypt')
  })

  it('names hash methods like stored hashes', () => {
    expect(hashMethodName('YESCRYPT')).toBe('yescrypt')
    expect(pamUnixHashMethod(['obscure', 'yescrypt'])).toBe('yescrypt')
    expect(pamUnixHashMethod(['sha512', 'shadow'])).toBe('sha512crypt')
    expect(pamUnixHashMethod(['obscure'])).toBeNull()
  })
})

describe('sudoers', () => {
  it('Debian default: no NOPASSWD, includes /etc/sudoers.d', () => {
    expect(parseSudoers(fixture('debian12/sudoers'), '/etc/sudoers')).toEqual({ grants: [], includes: [{ kind: 'dir', path: '/etc/sudoers.d' }] })
  })

  it('cloud-init default user', () => {
    const { grants } = parseSudoers(fixture('written/sudoers.d/90-cloud-init-users'), '/etc/sudoers.d/90-cloud-init-users')
    expect(grants).toEqual([{ target: '/etc/sudoers.d/90-cloud-init-users:4', principals: ['debian'], rule: 'ALL' }])
  })

  it('user lists with spaces, continuation lines, aliases, Defaults !authenticate', () => {
    const { grants } = parseSudoers(fixture('written/sudoers.d/deploy'), '/etc/sudoers.d/deploy')
    expect(grants).toEqual([
      { target: '/etc/sudoers.d/deploy:4', principals: ['deploy', 'ci-runner'], rule: 'APP' },
      { target: '/etc/sudoers.d/deploy:6', principals: ['backup'], rule: 'Defaults:backup !authenticate' },
    ])
  })

  it('old #include spellings and global Defaults', () => {
    const { grants, includes } = parseSudoers('#includedir /etc/sudoers.d\n#include /etc/sudoers.local\nDefaults !authenticate\n# alice ALL=(ALL) NOPASSWD: ALL\n', 'f')
    expect(includes).toEqual([
      { kind: 'dir', path: '/etc/sudoers.d' },
      { kind: 'file', path: '/etc/sudoers.local' },
    ])
    expect(grants).toEqual([{ target: 'f:3', principals: ['ALL'], rule: 'Defaults !authenticate' }])
  })

  it('skips includedir names with a dot or a trailing ~', () => {
    expect(['90-cloud-init-users', 'README', 'old.dpkg-old', 'x~'].filter(isIncludedName)).toEqual(['90-cloud-init-users', 'README'])
  })
})
