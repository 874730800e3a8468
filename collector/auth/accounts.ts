import type { Role } from '../store/store.js'

/**
 * A dashboard account as the auth code sees it, and the store it lives in. The
 * collector's `users` table holds it (created by the collector's first start); this
 * interface adds what sign-in, TOTP and administration need.
 */
export interface Account {
  id: number
  username: string
  role: Role
  passwordHash: string
  mustChangePassword: boolean
  /** Base32 secret once TOTP is enrolled. */
  totpSecret: string | null
  totpLastStep: number | null
  createdAt: string
  disabledAt: string | null
}

export interface NewAccount {
  username: string
  role: Role
  passwordHash: string
  mustChangePassword: boolean
  createdAt: string
}

export interface SessionRow {
  idHash: string
  userId: number
  csrfToken: string
  createdAt: string
  lastSeen: string
  ip: string | null
  /** A TOTP secret being enrolled, not yet confirmed with a code. */
  totpPending: string | null
}

export interface AccountStore {
  findByUsername(username: string): Promise<Account | null>
  findById(id: number): Promise<Account | null>
  list(): Promise<Account[]>
  create(account: NewAccount): Promise<number>
  setPassword(id: number, passwordHash: string, mustChange: boolean): Promise<void>
  setRole(id: number, role: Role): Promise<void>
  setDisabled(id: number, disabledAt: string | null): Promise<void>
  /** Enables TOTP with `secret` (first used at `step`) and replaces the recovery codes. */
  enableTotp(id: number, secret: string, step: number, recoveryHashes: readonly string[]): Promise<void>
  /** Rewrites a stored TOTP secret (sealing a clear one at rest); nothing else changes. */
  replaceTotpSecret(id: number, secret: string): Promise<void>
  /** Records `step` as used, only if it is later than the last one: false means replayed. */
  useTotpStep(id: number, step: number): Promise<boolean>
  unusedRecoveryCodes(id: number): Promise<string[]>
  /** Marks a recovery code used, once: false if it was already. */
  useRecoveryCode(id: number, codeHash: string, now: string): Promise<boolean>
  activeAdminCount(): Promise<number>

  createSession(row: SessionRow): Promise<void>
  findSession(idHash: string): Promise<SessionRow | null>
  touchSession(idHash: string, lastSeen: string): Promise<void>
  setTotpPending(idHash: string, secret: string | null): Promise<void>
  deleteSession(idHash: string): Promise<void>
  /** Ends every session of a user (password change, role change, disable), but `except`. */
  deleteUserSessions(userId: number, except?: string): Promise<void>
  deleteSessionsBefore(lastSeenBefore: string, createdBefore: string): Promise<number>
}
