import type { Role } from '../store/store.js'

/**
 * What each role may do (DESIGN.md, "Auth"): the API checks these on every request, the
 * dashboard only uses them to hide what would be refused. `auditor` reads and exports and
 * changes nothing; `operator` runs the fleet; `admin` also manages people and credentials.
 */
export const permissionRoles = {
  'fleet.read': ['admin', 'operator', 'auditor'],
  'findings.export': ['admin', 'operator', 'auditor'],
  'audit.read': ['admin', 'auditor'],
  'scan.request': ['admin', 'operator'],
  'waivers.write': ['admin', 'operator'],
  'schedules.write': ['admin', 'operator'],
  /** Pinning a changed SSH host key vouches for a machine's identity: admins only. */
  'hostkeys.trust': ['admin'],
  'alerts.manage': ['admin', 'operator'],
  'users.manage': ['admin'],
  'tokens.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof permissionRoles

export function can(role: Role, permission: Permission): boolean {
  return (permissionRoles[permission] as readonly Role[]).includes(role)
}

/** Every permission a role holds, for the session endpoint the dashboard reads. */
export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(permissionRoles) as Permission[]).filter((p) => can(role, p))
}
