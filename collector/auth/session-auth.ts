import type { Account, SessionRow } from './accounts.js'
import type { AuthDeps } from './auth-deps.js'
import { isSessionLive, sessionExpiry, sessionKey } from './session.js'

export interface ActiveSession {
  account: Account
  session: SessionRow
  expiresAt: string
}

// Writing last_seen on every request would turn reads into writes; a minute's precision is plenty for a 30-minute idle limit.
const touchEveryMs = 60_000

/** The live session a cookie's secret belongs to, or null (unknown, expired, or its user disabled). */
export async function resolveSession(deps: AuthDeps, secret: string): Promise<ActiveSession | null> {
  const key = sessionKey(secret)
  const session = await deps.accounts.findSession(key)
  if (!session) return null
  const now = deps.clock().getTime()
  if (!isSessionLive(session, now, deps.sessionPolicy)) {
    await deps.accounts.deleteSession(key)
    return null
  }
  const account = await deps.accounts.findById(session.userId)
  if (!account || account.disabledAt !== null) {
    await deps.accounts.deleteSession(key)
    return null
  }
  if (now - Date.parse(session.lastSeen) >= touchEveryMs) {
    session.lastSeen = new Date(now).toISOString()
    await deps.accounts.touchSession(key, session.lastSeen)
  }
  return { account, session, expiresAt: new Date(sessionExpiry(session, deps.sessionPolicy)).toISOString() }
}

/** True while the account must change its password or enrol TOTP before doing anything else. */
export function needsSetup(deps: Pick<AuthDeps, 'totpRequired'>, account: Account): boolean {
  return account.mustChangePassword || (deps.totpRequired && account.totpSecret === null)
}

export async function logout(deps: AuthDeps, active: ActiveSession, ip: string): Promise<void> {
  await deps.accounts.deleteSession(active.session.idHash)
  await deps.audit.append({ actor: `user:${active.account.username}`, action: 'logout', target: `user:${active.account.username}`, outcome: 'success', ip, details: {} })
}
