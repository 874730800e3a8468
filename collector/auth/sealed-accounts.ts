import type { Account, AccountStore, SessionRow } from './accounts.js'
import type { TotpSecretBox } from './totp-secret-box.js'

/**
 * An AccountStore whose TOTP secrets are sealed at rest (totp-secret-box.ts), over any
 * backend's store: enrolled secrets (`users.totp_secret`) and secrets being enrolled
 * (`sessions.totp_pending`) are sealed on write and opened on read, so the auth code
 * above sees clear secrets and the database never holds one. A clear secret stored before
 * encryption is sealed the first time it is read (and by `sealClearTotpSecrets` at start).
 */
export function sealTotpSecrets(store: AccountStore, box: () => TotpSecretBox): AccountStore {
  const openAccount = async (account: Account | null): Promise<Account | null> => {
    if (!account || account.totpSecret === null) return account
    const stored = account.totpSecret
    const b = box()
    if (!b.isSealed(stored)) await store.replaceTotpSecret(account.id, b.seal(stored))
    return { ...account, totpSecret: b.open(stored) }
  }
  const openSession = (row: SessionRow | null): SessionRow | null => (row && row.totpPending !== null ? { ...row, totpPending: box().open(row.totpPending) } : row)
  return {
    findByUsername: async (username) => openAccount(await store.findByUsername(username)),
    findById: async (id) => openAccount(await store.findById(id)),
    list: async () => Promise.all((await store.list()).map(async (a) => (await openAccount(a))!)),
    create: (account) => store.create(account),
    setPassword: (id, hash, mustChange) => store.setPassword(id, hash, mustChange),
    setRole: (id, role) => store.setRole(id, role),
    setDisabled: (id, at) => store.setDisabled(id, at),
    enableTotp: (id, secret, step, hashes) => store.enableTotp(id, box().seal(secret), step, hashes),
    replaceTotpSecret: (id, secret) => store.replaceTotpSecret(id, box().seal(secret)),
    useTotpStep: (id, step) => store.useTotpStep(id, step),
    unusedRecoveryCodes: (id) => store.unusedRecoveryCodes(id),
    useRecoveryCode: (id, hash, now) => store.useRecoveryCode(id, hash, now),
    activeAdminCount: () => store.activeAdminCount(),
    createSession: (row) => store.createSession(row.totpPending === null ? row : { ...row, totpPending: box().seal(row.totpPending) }),
    findSession: async (idHash) => openSession(await store.findSession(idHash)),
    touchSession: (idHash, at) => store.touchSession(idHash, at),
    setTotpPending: (idHash, secret) => store.setTotpPending(idHash, secret === null ? null : box().seal(secret)),
    deleteSession: (idHash) => store.deleteSession(idHash),
    deleteUserSessions: (userId, except) => store.deleteUserSessions(userId, except),
    deleteSessionsBefore: (last, created) => store.deleteSessionsBefore(last, created),
  }
}

/** Seals every clear TOTP secret still stored (a database from before encryption); returns how many. */
export async function sealClearTotpSecrets(store: AccountStore, box: TotpSecretBox): Promise<number> {
  let sealed = 0
  for (const account of await store.list()) {
    if (account.totpSecret !== null && !box.isSealed(account.totpSecret)) {
      await store.replaceTotpSecret(account.id, box.seal(account.totpSecret))
      sealed++
    }
  }
  return sealed
}
