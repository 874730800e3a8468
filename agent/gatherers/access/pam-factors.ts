import type { SecondFactorModule } from '../../../rules/facts/access.js'
import { endsStackOnSuccess, type PamLine } from './pam-stack.js'

/**
 * Second-factor PAM modules: TOTP/HOTP (`pam_google_authenticator`, `pam_oath`), FIDO/U2F
 * (`pam_u2f`), YubiKey OTP (`pam_yubico`), Duo (`pam_duo`). The arguments that let a user
 * without an enrolled secret straight through: google-authenticator's `nullok`, pam_u2f's
 * `nouserok` (their man pages), and Duo's `failmode=safe` (fails open when Duo is down).
 */
const secondFactorModules = new Set(['pam_google_authenticator', 'pam_oath', 'pam_u2f', 'pam_yubico', 'pam_duo'])
const bypassArgs = ['nullok', 'nouserok', 'failmode=safe']

/** Modules that check a password (local, directory or Kerberos). */
const passwordModules = new Set(['pam_unix', 'pam_unix2', 'pam_sss', 'pam_ldap', 'pam_krb5', 'pam_winbind', 'pam_pwdb'])

/** What the auth stack of a service asks for, in order. */
export interface PamAuthFactors {
  secondFactor: SecondFactorModule[]
  /** Some enforced second-factor module is there. */
  otpEnforced: boolean
  /** A password module runs (keyboard-interactive through this stack asks for a password). */
  asksPassword: boolean
}

export function analysePamAuth(stack: readonly PamLine[]): PamAuthFactors {
  const secondFactor: SecondFactorModule[] = []
  stack.forEach((line, index) => {
    if (!secondFactorModules.has(line.module)) return
    secondFactor.push({ module: line.module, control: line.control, ...enforcement(stack, index) })
  })
  const asksPassword = stack.some((line) => passwordModules.has(line.module) && line.control !== 'optional')
  return { secondFactor, otpEnforced: secondFactor.some((m) => m.enforced), asksPassword }
}

function enforcement(stack: readonly PamLine[], index: number): { enforced: boolean; weakness: string } {
  const line = stack[index]!
  const bypass = line.args.find((arg) => bypassArgs.includes(arg))
  if (bypass) return { enforced: false, weakness: `${line.module} has ${bypass}: users without an enrolled secret skip it` }
  if (line.control === 'optional') return { enforced: false, weakness: `${line.module} is optional: its failure is ignored` }
  const earlier = stack.slice(0, index).find((l) => endsStackOnSuccess(l.control))
  if (earlier) {
    return { enforced: false, weakness: `${earlier.module} (${earlier.control}, ${earlier.file}) ends the stack on success before ${line.module} runs` }
  }
  return { enforced: true, weakness: '' }
}
