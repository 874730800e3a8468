import type { AuditLog } from '../audit/audit-log.js'
import type { AccountStore } from './accounts.js'
import type { LoginLimiter } from './login-limiter.js'
import type { SessionPolicy } from './session.js'

/** What sign-in, sessions and account changes need, handed down from the app factory. */
export interface AuthDeps {
  accounts: AccountStore
  audit: AuditLog
  limiter: LoginLimiter
  sessionPolicy: SessionPolicy
  /** Every account must enrol TOTP before it can use the dashboard (default true). */
  totpRequired: boolean
  /** Shown in authenticator apps beside the account name. */
  totpIssuer: string
  clock: () => Date
}
