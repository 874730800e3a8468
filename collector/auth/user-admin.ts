import type { Role } from '../store/store.js'
import type { Account } from './accounts.js'
import type { AuthDeps } from './auth-deps.js'
import { generatePassword, hashPassword } from './password-hash.js'

export type AdminResult<T> = ({ ok: true } & T) | { ok: false; code: 'NOT_FOUND' | 'CONFLICT' | 'LAST_ADMIN' | 'SELF'; message: string }

export interface Actor {
  /** As the audit log names it: `user:alice` or `token:ab12…`. */
  audit: string
  /** The signed-in user's name, null for an API token (an admin token cannot be "yourself"). */
  username: string | null
  ip: string
}

/** Adds a user with a one-time password they must change at first sign-in. */
export async function createUser(deps: AuthDeps, actor: Actor, username: string, role: Role): Promise<AdminResult<{ account: Account; oneTimePassword: string }>> {
  if (await deps.accounts.findByUsername(username)) return { ok: false, code: 'CONFLICT', message: `A user named ${username} exists already.` }
  const oneTimePassword = generatePassword()
  const id = await deps.accounts.create({ username, role, passwordHash: await hashPassword(oneTimePassword), mustChangePassword: true, createdAt: deps.clock().toISOString() })
  await deps.audit.append({ actor: actor.audit, action: 'user.create', target: `user:${username}`, outcome: 'success', ip: actor.ip, details: { role } })
  return { ok: true, account: (await deps.accounts.findById(id))!, oneTimePassword }
}

/** Changes a role; the user's sessions end so the new role applies at once. */
export async function changeRole(deps: AuthDeps, actor: Actor, id: number, role: Role): Promise<AdminResult<{ account: Account }>> {
  const account = await deps.accounts.findById(id)
  if (!account) return { ok: false, code: 'NOT_FOUND', message: 'No such user.' }
  if (account.username === actor.username) return { ok: false, code: 'SELF', message: 'You cannot change your own role.' }
  if (account.role === 'admin' && role !== 'admin' && account.disabledAt === null && (await deps.accounts.activeAdminCount()) <= 1) {
    return { ok: false, code: 'LAST_ADMIN', message: 'This is the last admin.' }
  }
  if (account.role === role) return { ok: true, account }
  await deps.accounts.setRole(id, role)
  await deps.accounts.deleteUserSessions(id)
  await deps.audit.append({ actor: actor.audit, action: 'user.role-change', target: `user:${account.username}`, outcome: 'success', ip: actor.ip, details: { from: account.role, to: role } })
  return { ok: true, account: { ...account, role } }
}

export async function setDisabled(deps: AuthDeps, actor: Actor, id: number, disabled: boolean): Promise<AdminResult<{ account: Account }>> {
  const account = await deps.accounts.findById(id)
  if (!account) return { ok: false, code: 'NOT_FOUND', message: 'No such user.' }
  if (account.username === actor.username) return { ok: false, code: 'SELF', message: 'You cannot disable yourself.' }
  if (disabled && account.role === 'admin' && account.disabledAt === null && (await deps.accounts.activeAdminCount()) <= 1) {
    return { ok: false, code: 'LAST_ADMIN', message: 'This is the last admin.' }
  }
  const disabledAt = disabled ? (account.disabledAt ?? deps.clock().toISOString()) : null
  await deps.accounts.setDisabled(id, disabledAt)
  if (disabled) await deps.accounts.deleteUserSessions(id)
  await deps.audit.append({ actor: actor.audit, action: disabled ? 'user.disable' : 'user.enable', target: `user:${account.username}`, outcome: 'success', ip: actor.ip, details: {} })
  return { ok: true, account: { ...account, disabledAt } }
}

/** A new one-time password; the user's sessions end. TOTP stays as it is. */
export async function resetPassword(deps: AuthDeps, actor: Actor, id: number): Promise<AdminResult<{ account: Account; oneTimePassword: string }>> {
  const account = await deps.accounts.findById(id)
  if (!account) return { ok: false, code: 'NOT_FOUND', message: 'No such user.' }
  if (account.username === actor.username) return { ok: false, code: 'SELF', message: 'Change your own password on your account page.' }
  const oneTimePassword = generatePassword()
  await deps.accounts.setPassword(id, await hashPassword(oneTimePassword), true)
  await deps.accounts.deleteUserSessions(id)
  await deps.audit.append({ actor: actor.audit, action: 'user.password-reset', target: `user:${account.username}`, outcome: 'success', ip: actor.ip, details: {} })
  return { ok: true, account: { ...account, mustChangePassword: true }, oneTimePassword }
}
