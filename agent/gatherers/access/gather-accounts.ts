import type { AccountsFacts, LockoutService } from '../../../rules/facts/access.js'
import type { FactErrors } from '../../../rules/facts/facts.js'
import { lockoutOf, parseFaillockConf } from './faillock.js'
import { hasService, pamStack, type PamConfig } from './gather-pam.js'
import { loginDefsHashMethod, pamUnixHashMethod, parseLoginDefs, passMaxDays, uidMin } from './login-defs.js'
import type { NodeFiles } from './node-files.js'
import { parsePasswd, parseShadow, passwordHashes, redactPasswordFields, type PasswdEntry } from './password-files.js'

export interface AccountsGathered {
  facts: AccountsFacts
  errors: FactErrors
  /** Parsed passwd (password fields redacted), for picking the normal SSH user. */
  passwd: PasswdEntry[] | null
  uidMin: number
}

/**
 * Local accounts: stored password algorithms, empty passwords, UID 0, and the methods
 * new passwords will be hashed with. /etc/shadow and /etc/passwd are read with
 * `redactPasswordFields`, so no hash ever leaves the host object.
 */
export async function gatherAccounts(files: NodeFiles, pam: PamConfig): Promise<AccountsGathered> {
  const [passwdFile, shadowFile, loginDefsFile] = await Promise.all([
    files.read('/etc/passwd', { redact: redactPasswordFields }),
    files.read('/etc/shadow', { redact: redactPasswordFields }),
    files.read('/etc/login.defs'),
  ])
  const facts: AccountsFacts = {}
  const errors: FactErrors = {}

  const passwd = 'text' in passwdFile ? parsePasswd(passwdFile.text) : null
  const passwdProblem = passwd ? null : 'failed' in passwdFile ? passwdFile.failed : '/etc/passwd: no such file'
  const shadow = 'text' in shadowFile ? parseShadow(shadowFile.text) : 'absent' in shadowFile ? new Map<string, string>() : null
  const shadowProblem = 'failed' in shadowFile ? shadowFile.failed : null

  if (passwd) facts.uid0 = passwd.filter((p) => p.uid === 0).map((p) => p.name)
  else errors['access.accounts.uid0'] = passwdProblem!

  if (passwd && shadow) {
    const hashes = passwordHashes(passwd, shadow)
    facts.passwordHashes = hashes
    facts.emptyPasswords = hashes.filter((h) => h.algorithm === 'empty').map((h) => h.target)
  } else {
    const reason = [passwdProblem, shadowProblem].filter(Boolean).join('; ')
    errors['access.accounts.passwordHashes'] = reason
    errors['access.accounts.emptyPasswords'] = reason
  }

  const loginDefs = 'text' in loginDefsFile ? parseLoginDefs(loginDefsFile.text) : 'absent' in loginDefsFile ? new Map<string, string>() : null
  if (loginDefs) {
    const methods = [{ source: '/etc/login.defs ENCRYPT_METHOD', algorithm: loginDefsHashMethod(loginDefs) }]
    const stack = hasService(pam, 'passwd') ? pamStack(pam, 'passwd', 'password') : null
    if (stack && 'failed' in stack) {
      errors['access.accounts.hashMethods'] = stack.failed
    } else {
      for (const line of stack?.lines ?? []) {
        const method = line.module === 'pam_unix' ? pamUnixHashMethod(line.args) : null
        if (method) methods.push({ source: `${line.file} pam_unix`, algorithm: method })
      }
      facts.hashMethods = methods
    }
    facts.passMaxDays = passMaxDays(loginDefs)
  } else {
    const reason = 'failed' in loginDefsFile ? loginDefsFile.failed : ''
    errors['access.accounts.hashMethods'] = reason
    errors['access.accounts.passMaxDays'] = reason
  }
  return { facts, errors, passwd, uidMin: loginDefs ? uidMin(loginDefs) : 1000 }
}

/** The services whose logins the lockout rule checks: SSH and the console. */
const loginServices = ['sshd', 'login']

/** pam_faillock (or pam_tally2) in the auth stack of each login service present. */
export async function gatherLockout(files: NodeFiles, pam: PamConfig): Promise<{ services: LockoutService[] } | { failed: string }> {
  const conf = await files.read('/etc/security/faillock.conf')
  if ('failed' in conf) return { failed: conf.failed }
  const faillock = 'text' in conf ? parseFaillockConf(conf.text) : null
  const services: LockoutService[] = []
  for (const service of loginServices.filter((s) => hasService(pam, s))) {
    const stack = pamStack(pam, service, 'auth')
    if ('failed' in stack) return stack
    services.push(lockoutOf(service, stack.lines, faillock))
  }
  return { services }
}

/**
 * The normal user whose Match blocks sshd is asked about: the configured one, else the
 * first account with UID ≥ UID_MIN and a login shell, else a name that exists nowhere
 * (Match User patterns still apply to it; Match Group cannot).
 */
export function pickNormalUser(configured: string | undefined, passwd: readonly PasswdEntry[] | null, minUid: number): string {
  if (configured) return configured
  const noLogin = /(nologin|false|sync|shutdown|halt)$/
  const user = passwd?.find((p) => p.uid >= minUid && p.uid !== 65534 && !noLogin.test(p.shell))
  return user?.name ?? 'posture-probe'
}
