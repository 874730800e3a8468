import type { ActiveSession } from './session-auth.js'
import type { AuthDeps } from './auth-deps.js'
import { hashPassword, verifyPassword } from './password-hash.js'
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.js'
import { newTotpSecret, totpUri, verifyTotp } from './totp.js'
import { totpQrSvg } from './totp-qr.js'

export type ChangeResult<T = object> = ({ ok: true } & T) | { ok: false; code: 'BAD_PASSWORD' | 'WEAK_PASSWORD' | 'BAD_CODE' | 'NO_ENROLMENT' | 'ALREADY_ENROLLED'; message: string }

/**
 * NIST SP 800-63B §5.1.1.2: at least 8 characters, we ask 12; up to 1024 so a passphrase
 * always fits (scrypt bounds the cost); not the username.
 */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < 12) return 'The new password needs at least 12 characters.'
  if (password.length > 1024) return 'The new password is longer than 1024 characters.'
  if (password.toLowerCase().includes(username.toLowerCase())) return 'The new password must not contain the username.'
  return null
}

/** Changes the signed-in user's password; every other session of theirs ends. */
export async function changePassword(deps: AuthDeps, active: ActiveSession, current: string, next: string, ip: string): Promise<ChangeResult> {
  const { account } = active
  if (!(await verifyPassword(current, account.passwordHash))) {
    await deps.audit.append({ actor: `user:${account.username}`, action: 'password.change', target: `user:${account.username}`, outcome: 'failure', ip, details: { reason: 'bad-current-password' } })
    return { ok: false, code: 'BAD_PASSWORD', message: 'The current password is wrong.' }
  }
  const problem = passwordProblem(next, account.username) ?? (next === current ? 'The new password must differ from the current one.' : null)
  if (problem) return { ok: false, code: 'WEAK_PASSWORD', message: problem }
  await deps.accounts.setPassword(account.id, await hashPassword(next), false)
  await deps.accounts.deleteUserSessions(account.id, active.session.idHash)
  await deps.audit.append({ actor: `user:${account.username}`, action: 'password.change', target: `user:${account.username}`, outcome: 'success', ip, details: {} })
  return { ok: true }
}

/** Starts TOTP enrolment: a new secret kept with the session until a code confirms it. */
export async function startTotp(deps: AuthDeps, active: ActiveSession): Promise<ChangeResult<{ secret: string; uri: string }>> {
  if (active.account.totpSecret !== null) return { ok: false, code: 'ALREADY_ENROLLED', message: 'TOTP is already on for this account.' }
  const secret = newTotpSecret()
  await deps.accounts.setTotpPending(active.session.idHash, secret)
  active.session.totpPending = secret
  return { ok: true, secret, uri: totpUri(secret, active.account.username, deps.totpIssuer) }
}

export async function pendingTotpQr(deps: AuthDeps, active: ActiveSession): Promise<string | null> {
  const secret = active.session.totpPending
  return secret ? totpQrSvg(totpUri(secret, active.account.username, deps.totpIssuer)) : null
}

/** Confirms enrolment with a code from the app; returns the recovery codes, shown once. */
export async function confirmTotp(deps: AuthDeps, active: ActiveSession, code: string, ip: string): Promise<ChangeResult<{ recoveryCodes: string[] }>> {
  const secret = active.session.totpPending
  if (!secret) return { ok: false, code: 'NO_ENROLMENT', message: 'Start the enrolment again: no code is pending.' }
  if (active.account.totpSecret !== null) return { ok: false, code: 'ALREADY_ENROLLED', message: 'TOTP is already on for this account.' }
  const verdict = verifyTotp(secret, code, deps.clock().getTime(), null)
  if (!verdict.ok) return { ok: false, code: 'BAD_CODE', message: 'That code does not match. Check the time on your phone and try the next code.' }
  const recoveryCodes = newRecoveryCodes()
  await deps.accounts.enableTotp(active.account.id, secret, verdict.step, recoveryCodes.map(hashRecoveryCode))
  await deps.accounts.setTotpPending(active.session.idHash, null)
  await deps.audit.append({ actor: `user:${active.account.username}`, action: 'totp.enrol', target: `user:${active.account.username}`, outcome: 'success', ip, details: { recoveryCodes: recoveryCodes.length } })
  return { ok: true, recoveryCodes }
}
