import { describe, expect, it } from 'vitest'
import { lockoutOf, parseFaillockConf } from '../../../../../agent/gatherers/access/faillock.js'
import { analysePamAuth } from '../../../../../agent/gatherers/access/pam-factors.js'
import { parsePamFile, referencedServices, resolvePamStack, type PamEntry } from '../../../../../agent/gatherers/access/pam-stack.js'
import { fixture } from './fixture.js'

/** Service name → parsed file, from fixture paths. */
function pamFiles(files: Record<string, string>): Map<string, PamEntry[]> {
  return new Map(Object.entries(files).map(([service, path]) => [service, parsePamFile(fixture(path), `/etc/pam.d/${service}`)]))
}

const debian = {
  'common-auth': 'debian12/pam.d/common-auth',
  'common-account': 'debian12/pam.d/common-account',
  'common-session': 'debian12/pam.d/common-session',
  'common-password': 'debian12/pam.d/common-password',
  login: 'debian12/pam.d/login',
  passwd: 'debian12/pam.d/passwd',
}

describe('PAM stacks', () => {
  it('expands Debian @include lines in place (sshd → common-auth)', () => {
    const files = pamFiles({ ...debian, sshd: 'debian12/pam.d/sshd' })
    expect(referencedServices(files.get('sshd')!)).toEqual(['common-auth', 'common-account', 'common-session', 'common-password'])
    const auth = resolvePamStack(files, 'sshd', 'auth')
    expect(auth.map((l) => `${l.control} ${l.module}`)).toEqual([
      '[success=1 default=ignore] pam_unix',
      'requisite pam_deny',
      'required pam_permit',
      'optional pam_cap',
    ])
    expect(auth[0]).toMatchObject({ args: ['nullok'], file: '/etc/pam.d/common-auth' })
  })

  it('expands RHEL substack/include controls', () => {
    const files = pamFiles({ sshd: 'written/pam.d/sshd.rhel9', 'password-auth': 'written/pam.d/system-auth.rhel9-faillock' })
    const auth = resolvePamStack(files, 'sshd', 'auth')
    expect(auth.map((l) => l.module)).toEqual(['pam_env', 'pam_faillock', 'pam_faildelay', 'pam_unix', 'pam_faillock', 'pam_deny'])
    // `postlogin` is not in the map: a missing include adds nothing, as libpam skips it.
  })

  it('keeps bracketed controls whole and ignores comments and unknown types', () => {
    const entries = parsePamFile('# c\nauth [success=done new_authtok_reqd=done default=ignore] pam_x.so a=1 # trailing\nfoo bar baz\n-session optional pam_systemd.so\n', 'f')
    expect(entries).toEqual([
      { type: 'auth', control: '[success=done new_authtok_reqd=done default=ignore]', module: 'pam_x', args: ['a=1'], file: 'f' },
      { type: 'session', control: 'optional', module: 'pam_systemd', args: [], file: 'f' },
    ])
  })
})

describe('second factor in the sshd auth stack', () => {
  const stack = (sshd: string) => resolvePamStack(pamFiles({ ...debian, sshd }), 'sshd', 'auth')

  it('Debian default: a password, no second factor', () => {
    expect(analysePamAuth(stack('debian12/pam.d/sshd'))).toEqual({ secondFactor: [], otpEnforced: false, asksPassword: true })
  })

  it('google-authenticator after common-auth: password and OTP', () => {
    const factors = analysePamAuth(stack('written/pam.d/sshd.google-authenticator'))
    expect(factors).toMatchObject({ otpEnforced: true, asksPassword: true })
    expect(factors.secondFactor).toEqual([{ module: 'pam_google_authenticator', control: 'required', enforced: true, weakness: '' }])
  })

  it('nullok lets users without a secret through', () => {
    const factors = analysePamAuth(stack('written/pam.d/sshd.google-authenticator-nullok'))
    expect(factors.otpEnforced).toBe(false)
    expect(factors.secondFactor[0]!.weakness).toMatch(/nullok/)
  })

  it('OTP only (common-auth commented out)', () => {
    expect(analysePamAuth(stack('written/pam.d/sshd.otp-only'))).toMatchObject({ otpEnforced: true, asksPassword: false })
  })

  it('pam_faillock `sufficient authsucc` in common-auth skips a TOTP module placed after it', () => {
    const files = pamFiles({ ...debian, 'common-auth': 'written/pam.d/common-auth.faillock-sufficient', sshd: 'written/pam.d/sshd.google-authenticator' })
    const factors = analysePamAuth(resolvePamStack(files, 'sshd', 'auth'))
    expect(factors.otpEnforced).toBe(false)
    expect(factors.secondFactor[0]!.weakness).toBe('pam_faillock (sufficient, /etc/pam.d/common-auth) ends the stack on success before pam_google_authenticator runs')
  })

  it('a sufficient module before the OTP ends the stack first', () => {
    const factors = analysePamAuth(stack('written/pam.d/sshd.otp-after-sufficient'))
    expect(factors.otpEnforced).toBe(false)
    expect(factors.secondFactor[0]).toMatchObject({ module: 'pam_oath', enforced: false })
    expect(factors.secondFactor[0]!.weakness).toMatch(/pam_unix \(sufficient/)
  })
})

describe('lockout', () => {
  it('Debian default: no pam_faillock', () => {
    const files = pamFiles({ ...debian, sshd: 'debian12/pam.d/sshd' })
    expect(lockoutOf('sshd', resolvePamStack(files, 'sshd', 'auth'), null)).toEqual({ target: 'sshd', module: null, deny: null, unlockTimeSeconds: null })
  })

  it('faillock with values from faillock.conf', () => {
    const files = pamFiles({ ...debian, 'common-auth': 'written/pam.d/common-auth.faillock', sshd: 'debian12/pam.d/sshd' })
    const conf = parseFaillockConf(fixture('written/faillock.conf'))
    expect(conf.get('even_deny_root')).toBe('')
    expect(lockoutOf('sshd', resolvePamStack(files, 'sshd', 'auth'), conf)).toEqual({ target: 'sshd', module: 'pam_faillock', deny: 5, unlockTimeSeconds: 900 })
  })

  it('faillock defaults (deny 3, 600 s) when there is no faillock.conf', () => {
    const files = pamFiles({ ...debian, 'common-auth': 'written/pam.d/common-auth.faillock', sshd: 'debian12/pam.d/sshd' })
    expect(lockoutOf('sshd', resolvePamStack(files, 'sshd', 'auth'), null)).toMatchObject({ deny: 3, unlockTimeSeconds: 600 })
  })

  it('module arguments override faillock.conf (RHEL authselect)', () => {
    const files = pamFiles({ sshd: 'written/pam.d/sshd.rhel9', 'password-auth': 'written/pam.d/system-auth.rhel9-faillock' })
    const conf = parseFaillockConf('deny = 9\n')
    expect(lockoutOf('sshd', resolvePamStack(files, 'sshd', 'auth'), conf)).toMatchObject({ module: 'pam_faillock', deny: 4, unlockTimeSeconds: 1200 })
  })

  it('preauth alone records nothing: not a lockout', () => {
    const files = new Map([['sshd', parsePamFile('auth required pam_faillock.so preauth\nauth required pam_unix.so\n', 'sshd')]])
    expect(lockoutOf('sshd', resolvePamStack(files, 'sshd', 'auth'), null).module).toBeNull()
  })
})
