import type { Permission } from '../../auth/permissions.js'
import type { Role } from '../../store/store.js'

/** GET /api/session: who is signed in, what they may do, and the CSRF token for changes. */
export interface SessionInfo {
  user: {
    id: number
    username: string
    role: Role
    mustChangePassword: boolean
    totpEnabled: boolean
  }
  permissions: Permission[]
  csrfToken: string
  /** The collector requires every account to enrol TOTP before using the dashboard. */
  totpRequired: boolean
  expiresAt: string
}
