import { describe, expect, it } from 'vitest'
import type { PamAuthFactors } from '../../../../../agent/gatherers/access/pam-factors.js'
import { loginPaths, needsPam, sshSession } from '../../../../../agent/gatherers/access/ssh-session.js'
import { parseSshdT, SshdSettings } from '../../../../../agent/gatherers/access/sshd-effective-config.js'
import { fixture } from './fixture.js'

const passwordOnly: PamAuthFactors = { secondFactor: [], otpEnforced: false, asksPassword: true }
const passwordAndOtp: PamAuthFactors = {
  secondFactor: [{ module: 'pam_google_authenticator', control: 'required', enforced: true, weakness: '' }],
  otpEnforced: true,
  asksPassword: true,
}
const nullok: PamAuthFactors = {
  secondFactor: [{ module: 'pam_google_authenticator', control: 'required', enforced: false, weakness: 'nullok' }],
  otpEnforced: false,
  asksPassword: true,
}

function settings(name: string): SshdSettings {
  return new SshdSettings(parseSshdT(fixture(name))!)
}

const paths = (name: string, user: string, pam: PamAuthFactors | null = passwordOnly) =>
  loginPaths(settings(name), { user, address: '203.0.113.10', pam }).map((p) => `${p.methods.join(',')}=${p.factors.join('+')}`)

describe('SSH login paths', () => {
  it('Debian default: a key alone or a password alone', () => {
    expect(paths('sshd-T.debian12-default.txt', 'alice')).toEqual(['publickey=publickey', 'password=password'])
    // PermitRootLogin without-password: root only by key.
    expect(paths('sshd-T.debian12-default.txt', 'root')).toEqual(['publickey=publickey'])
  })

  it('hardened: key then keyboard-interactive, whose factors come from PAM', () => {
    expect(paths('sshd-T.hardened-2fa.txt', 'alice', passwordAndOtp)).toEqual(['publickey,keyboard-interactive=otp+password+publickey'])
    expect(paths('sshd-T.hardened-2fa.txt', 'alice', nullok)).toEqual(['publickey,keyboard-interactive=password+publickey'])
    expect(paths('sshd-T.hardened-2fa.txt', 'root', passwordAndOtp)).toEqual([])
  })

  it('keyboard-interactive counts only with UsePAM', () => {
    const s = settings('sshd-T.hardened-2fa.txt')
    expect(needsPam(s)).toBe(true)
    expect(needsPam(settings('sshd-T.debian12-default.txt'))).toBe(false)
  })

  it('AuthenticationMethods alternatives with a disabled method are dropped', () => {
    const s = new SshdSettings(
      new Map([
        ['permitrootlogin', ['no']],
        ['passwordauthentication', ['no']],
        ['pubkeyauthentication', ['yes']],
        ['authenticationmethods', ['publickey,password publickey']],
      ]),
    )
    expect(loginPaths(s, { user: 'alice', address: '203.0.113.10', pam: null })).toEqual([{ methods: ['publickey'], factors: ['publickey'] }])
  })
})

describe('Match blocks (real sshd -T -f -C output)', () => {
  it('root from the Internet: PermitRootLogin no, no way in', () => {
    const session = sshSession(settings('sshd-T.match.root-public.txt'), { user: 'root', address: '203.0.113.10', pam: passwordOnly })
    expect(session).toMatchObject({ target: 'root@203.0.113.10', permitRootLogin: 'no', loginPaths: [] })
  })

  it('root from the management network: key-only root login', () => {
    const session = sshSession(settings('sshd-T.match.root-mgmt.txt'), { user: 'root', address: '10.10.0.9', pam: passwordOnly })
    expect(session.permitRootLogin).toBe('prohibit-password')
    expect(session.loginPaths).toEqual([{ methods: ['publickey'], factors: ['publickey'] }])
  })

  it('the contractor gets passwords and 10 tries; alice does not', () => {
    const contractor = sshSession(settings('sshd-T.match.contractor.txt'), { user: 'contractor', address: '203.0.113.10', pam: passwordOnly })
    expect(contractor).toMatchObject({ passwordAuthentication: true, maxAuthTries: 10, loginGraceTimeSeconds: 30 })
    expect(contractor.loginPaths.map((p) => p.factors)).toContainEqual(['password'])
    const alice = sshSession(settings('sshd-T.match.alice.txt'), { user: 'alice', address: '203.0.113.10', pam: passwordOnly })
    expect(alice).toMatchObject({ passwordAuthentication: false, maxAuthTries: 3 })
    expect(alice.loginPaths).toEqual([{ methods: ['publickey'], factors: ['publickey'] }])
  })
})

describe('sshSession', () => {
  it('carries forwarding and logging settings for user rules', () => {
    const session = sshSession(settings('sshd-T.debian12-default.txt'), { user: 'alice', address: '203.0.113.10', pam: passwordOnly })
    expect(session).toMatchObject({
      x11Forwarding: true,
      allowAgentForwarding: true,
      allowTcpForwarding: 'yes',
      disableForwarding: false,
      logLevel: 'INFO',
      ports: [22],
      authenticationMethods: null,
      usePam: true,
      permitEmptyPasswords: false,
      loginGraceTimeSeconds: 120,
    })
  })
})
