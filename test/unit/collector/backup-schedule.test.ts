import { describe, expect, it } from 'vitest'
import { abandonedPartials, backupFileName, backupsToPrune } from '../../../collector/backup-schedule.js'

describe('backups', () => {
  it('names backups by time so that names sort oldest first', () => {
    expect(backupFileName(new Date('2026-03-02T10:00:00.123Z'))).toBe('posture-2026-03-02T10-00-00-123Z.db')
  })
  it('prunes the oldest beyond the kept count and ignores other files', () => {
    const names = ['posture-2026-03-03T00-00-00-000Z.db', 'notes.txt', 'posture-2026-03-01T00-00-00-000Z.db', 'posture-2026-03-02T00-00-00-000Z.db']
    expect(backupsToPrune(names, 2)).toEqual(['posture-2026-03-01T00-00-00-000Z.db'])
    expect(backupsToPrune(names, 5)).toEqual([])
  })
  it('finds partial backups no backup is writing (left by a killed collector), never a complete one', () => {
    const names = ['posture-2026-03-01T00-00-00-000Z.db', 'posture-2026-03-02T00-00-00-000Z.db.partial', 'posture-2026-03-03T00-00-00-000Z.db.partial', 'notes.partial']
    expect(abandonedPartials(names, new Set(['posture-2026-03-03T00-00-00-000Z.db.partial']))).toEqual(['posture-2026-03-02T00-00-00-000Z.db.partial'])
    expect(abandonedPartials(names, new Set())).toEqual(['posture-2026-03-02T00-00-00-000Z.db.partial', 'posture-2026-03-03T00-00-00-000Z.db.partial'])
  })
})
