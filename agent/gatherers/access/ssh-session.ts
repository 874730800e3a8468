import type { SshLoginPath, SshSession } from '../../../rules/facts/access.js'
import type { PamAuthFactors } from './pam-factors.js'
import { normalisePermitRootLogin, parseAuthenticationMethods, parseSshdTime, type SshdSettings } from './sshd-effective-config.js'

export interface SessionContext {
  user: string
  address: string
  /** sshd's PAM auth stack, or null when it could not be read (then keyboard-interactive cannot be judged). */
  pam: PamAuthFactors | null
}

/**
 * The facts of one `sshd -T -C user=…,addr=…` dump. Throws nothing: a PAM stack that is
 * needed but unknown is reported by the caller (see `needsPam`).
 */
export function sshSession(settings: SshdSettings, context: SessionContext): SshSession {
  const authenticationMethods = parseAuthenticationMethods(settings.value('authenticationmethods', 'any'))
  return {
    target: `${context.user}@${context.address}`,
    user: context.user,
    address: context.address,
    permitRootLogin: normalisePermitRootLogin(settings.value('permitrootlogin', 'prohibit-password')),
    passwordAuthentication: settings.flag('passwordauthentication', true),
    kbdInteractiveAuthentication: kbdInteractive(settings),
    pubkeyAuthentication: settings.flag('pubkeyauthentication', true),
    usePam: settings.flag('usepam', false),
    permitEmptyPasswords: settings.flag('permitemptypasswords', false),
    authenticationMethods,
    loginPaths: loginPaths(settings, context),
    maxAuthTries: settings.number('maxauthtries', 6),
    loginGraceTimeSeconds: parseSshdTime(settings.value('logingracetime', '120')) ?? 120,
    x11Forwarding: settings.flag('x11forwarding', false),
    allowAgentForwarding: settings.flag('allowagentforwarding', true),
    allowTcpForwarding: settings.value('allowtcpforwarding', 'yes'),
    disableForwarding: settings.flag('disableforwarding', false),
    logLevel: settings.value('loglevel', 'INFO'),
    ports: settings.values('port').map((p) => Number.parseInt(p, 10)).filter(Number.isFinite),
  }
}

/** True when keyboard-interactive is usable through PAM, so the PAM stack decides what it asks. */
export function needsPam(settings: SshdSettings): boolean {
  return kbdInteractive(settings) && settings.flag('usepam', false)
}

/** OpenSSH < 8.7 calls it ChallengeResponseAuthentication; either being yes enables it. */
function kbdInteractive(settings: SshdSettings): boolean {
  return settings.flag('kbdinteractiveauthentication', false) || settings.flag('challengeresponseauthentication', false)
}

/**
 * Every way to complete authentication: with `AuthenticationMethods any`, each enabled
 * method alone; otherwise each listed alternative whose methods are all enabled.
 * PermitRootLogin narrows root's methods (sshd_config(5)): `no` none,
 * `prohibit-password` no password or keyboard-interactive, `forced-commands-only`
 * public keys only.
 */
export function loginPaths(settings: SshdSettings, context: SessionContext): SshLoginPath[] {
  const enabled = new Set<string>()
  if (settings.flag('pubkeyauthentication', true)) enabled.add('publickey')
  if (settings.flag('passwordauthentication', true)) enabled.add('password')
  // Without PAM, keyboard-interactive on Linux has no devices to ask with (BSD auth only).
  if (needsPam(settings)) enabled.add('keyboard-interactive')
  if (settings.flag('hostbasedauthentication', false)) enabled.add('hostbased')
  if (settings.flag('gssapiauthentication', false)) enabled.add('gssapi-with-mic')

  if (context.user === 'root') {
    const rootLogin = normalisePermitRootLogin(settings.value('permitrootlogin', 'prohibit-password'))
    if (rootLogin === 'no') return []
    if (rootLogin === 'prohibit-password') {
      enabled.delete('password')
      enabled.delete('keyboard-interactive')
    }
    if (rootLogin === 'forced-commands-only') for (const m of [...enabled]) if (m !== 'publickey') enabled.delete(m)
  }

  const configured = parseAuthenticationMethods(settings.value('authenticationmethods', 'any'))
  const alternatives: string[][] = configured ?? [...enabled].map((m) => [m])
  const paths: SshLoginPath[] = []
  const seen = new Set<string>()
  for (const methods of alternatives) {
    if (!methods.every((m) => enabled.has(baseMethod(m)))) continue
    const key = methods.join(',')
    if (seen.has(key)) continue
    seen.add(key)
    paths.push({ methods, factors: factorsOf(methods, context.pam) })
  }
  return paths
}

/** `keyboard-interactive:pam` → `keyboard-interactive`. */
function baseMethod(method: string): string {
  return method.split(':')[0]!
}

function factorsOf(methods: readonly string[], pam: PamAuthFactors | null): string[] {
  const factors = new Set<string>()
  for (const method of methods) {
    switch (baseMethod(method)) {
      case 'publickey':
        factors.add('publickey')
        break
      case 'password':
        factors.add('password')
        break
      case 'hostbased':
        factors.add('hostbased')
        break
      case 'gssapi-with-mic':
        factors.add('gssapi')
        break
      case 'keyboard-interactive':
        // Unknown PAM stack: the caller reports an error before any rule relies on this.
        if (pam?.otpEnforced) factors.add('otp')
        if (!pam || pam.asksPassword || !pam.otpEnforced) factors.add('password')
        break
    }
  }
  return [...factors].sort()
}
