import { hashPassword, needsRehash, verifyPassword } from './password-hash.js'
import type { Account } from './accounts.js'
import type { AuthDeps } from './auth-deps.js'
import { hashRecoveryCode, matchRecoveryCode } from './recovery-codes.js'
import { newSecret, sessionKey } from './session.js'
import { verifyTotp } from './totp.js'

export interface LoginRequest {
  username: string
  password: string
  /** A TOTP code or a recovery code, once the account has TOTP. */
  code?: string | undefined
  ip: string
  /** The secret of the session the browser had before, ended here (no fixation). */
  previousSecret?: string | undefined
}

export type LoginResult =
  | { ok: true; secret: string; account: Account }
  | { ok: false; code: 'BAD_CREDENTIALS' | 'TOTP_REQUIRED' | 'BAD_CODE'; message: string }
  | { ok: false; code: 'RATE_LIMITED'; message: string; retryAfterMs: number }

const badCredentials = { ok: false, code: 'BAD_CREDENTIALS', message: 'Wrong username or password.' } as const

/**
 * Signs a user in: the limiter first (a locked account or address is not even checked),
 * then the password (a made-up or disabled name costs the same scrypt work and gets the
 * same answer as a wrong password: no user enumeration), then TOTP or a recovery code.
 * Every outcome but "code needed" is written to the audit log.
 */
export async function login(deps: AuthDeps, request: LoginRequest): Promise<LoginResult> {
  const now = deps.clock()
  const typed = request.username.trim().slice(0, 128)
  const attempt = (outcome: 'success' | 'failure', details: Record<string, string | boolean>) =>
    deps.audit.append({ actor: typed, action: 'login', target: null, outcome, ip: request.ip, details })

  const verdict = await deps.limiter.check(typed, request.ip, now.getTime())
  if (!verdict.allowed) {
    await attempt('failure', { reason: 'rate-limited' })
    const minutes = Math.ceil(verdict.retryAfterMs / 60_000)
    return { ok: false, code: 'RATE_LIMITED', message: `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, retryAfterMs: verdict.retryAfterMs }
  }
  const account = await deps.accounts.findByUsername(typed)
  const usable = account !== null && account.disabledAt === null
  const passwordOk = await verifyPassword(request.password, usable ? account.passwordHash : await dummyHash())
  if (!usable || !passwordOk) {
    await deps.limiter.recordFailure(typed, request.ip, now.getTime())
    await attempt('failure', { reason: account === null ? 'unknown-user' : account.disabledAt ? 'disabled' : 'bad-password' })
    return badCredentials
  }

  let factor: 'none' | 'totp' | 'recovery-code' = 'none'
  if (account.totpSecret !== null) {
    const code = request.code?.trim() ?? ''
    if (!code) return { ok: false, code: 'TOTP_REQUIRED', message: 'Enter the code from your authenticator app.' }
    factor = /^\d[\d ]*$/.test(code) ? 'totp' : 'recovery-code'
    const accepted = factor === 'totp' ? await acceptTotp(deps, account, code, now.getTime()) : await acceptRecoveryCode(deps, account, code, now)
    if (!accepted) {
      await deps.limiter.recordFailure(typed, request.ip, now.getTime())
      await attempt('failure', { reason: factor === 'totp' ? 'bad-totp' : 'bad-recovery-code' })
      return { ok: false, code: 'BAD_CODE', message: 'That code is wrong or was already used.' }
    }
    if (factor === 'recovery-code') {
      await deps.audit.append({ actor: `user:${account.username}`, action: 'totp.recovery-code-used', target: `user:${account.username}`, outcome: 'success', ip: request.ip, details: { left: (await deps.accounts.unusedRecoveryCodes(account.id)).length } })
    }
  }

  await deps.limiter.recordSuccess(typed)
  if (needsRehash(account.passwordHash)) await deps.accounts.setPassword(account.id, await hashPassword(request.password), account.mustChangePassword)
  if (request.previousSecret) await deps.accounts.deleteSession(sessionKey(request.previousSecret))
  const secret = newSecret()
  await deps.accounts.createSession({
    idHash: sessionKey(secret),
    userId: account.id,
    csrfToken: newSecret(),
    createdAt: now.toISOString(),
    lastSeen: now.toISOString(),
    ip: request.ip,
    totpPending: null,
  })
  await deps.audit.append({ actor: `user:${account.username}`, action: 'login', target: `user:${account.username}`, outcome: 'success', ip: request.ip, details: { factor } })
  return { ok: true, secret, account }
}

async function acceptTotp(deps: AuthDeps, account: Account, code: string, now: number): Promise<boolean> {
  const verdict = verifyTotp(account.totpSecret!, code, now, account.totpLastStep)
  // useTotpStep is a compare-and-set: two requests racing with one code cannot both pass.
  return verdict.ok && (await deps.accounts.useTotpStep(account.id, verdict.step))
}

async function acceptRecoveryCode(deps: AuthDeps, account: Account, code: string, now: Date): Promise<boolean> {
  const hashes = await deps.accounts.unusedRecoveryCodes(account.id)
  if (matchRecoveryCode(code, hashes) === -1) return false
  return deps.accounts.useRecoveryCode(account.id, hashRecoveryCode(code), now.toISOString())
}

let dummy: Promise<string> | undefined
/** A real hash to verify against when the name is unknown, so both paths cost one scrypt. */
function dummyHash(): Promise<string> {
  dummy ??= hashPassword('posture: no such user')
  return dummy
}
