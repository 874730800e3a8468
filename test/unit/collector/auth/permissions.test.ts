import { describe, expect, it } from 'vitest'
import { can, permissionsOf } from '../../../../collector/auth/permissions.js'

describe('permissions', () => {
  it('lets an auditor read, export and see the audit log, and change nothing', () => {
    expect(permissionsOf('auditor')).toEqual(['fleet.read', 'findings.export', 'audit.read'])
  })

  it('lets an operator run the fleet but not manage people or tokens', () => {
    expect(can('operator', 'scan.request')).toBe(true)
    expect(can('operator', 'users.manage')).toBe(false)
    expect(can('operator', 'tokens.manage')).toBe(false)
    expect(can('operator', 'audit.read')).toBe(false)
    expect(can('operator', 'schedules.write')).toBe(true)
    expect(can('operator', 'hostkeys.trust')).toBe(false)
  })

  it('gives an admin everything', () => {
    expect(permissionsOf('admin')).toHaveLength(10)
  })
})
