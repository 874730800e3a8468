import type { Role } from '../../store/store.js'
import type { AuditEntry, ChainVerdict } from '../../audit/audit-chain.js'

/** Users, API tokens and the audit log as the API shows them (admin and auditor pages). */
export interface UserInfo {
  id: number
  username: string
  role: Role
  totpEnabled: boolean
  mustChangePassword: boolean
  createdAt: string
  disabledAt: string | null
}

/** POST /api/users and POST /api/users/:id/reset-password: the password is shown once. */
export interface UserWithPassword {
  user: UserInfo
  oneTimePassword: string
}

export interface TokenInfo {
  id: string
  name: string
  role: Role
  createdAt: string
  revokedAt: string | null
  lastUsed: string | null
}

/** POST /api/tokens: the secret is shown once and stored only hashed. */
export interface NewToken {
  token: TokenInfo
  secret: string
}

export interface AuditPage {
  entries: AuditEntry[]
  /** Pass as `before` for older entries; null at the start of the log. */
  nextBefore: number | null
}

export type AuditVerdict = ChainVerdict

/** POST /api/auth/totp/start: a new secret to enrol (the QR code is GET /api/auth/totp/qr.svg). */
export interface TotpEnrolment {
  secret: string
  uri: string
}

export interface TotpConfirmed {
  recoveryCodes: string[]
}
