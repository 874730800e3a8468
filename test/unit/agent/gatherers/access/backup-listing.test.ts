import { describe, expect, it } from 'vitest'
import { parseBorgList, parseResticSnapshots, parseStatLines, parseTimestamp, planGlob } from '../../../../../agent/gatherers/access/backup-listing.js'
import { accessConfigSchema } from '../../../../../agent/gatherers/access/access-config.js'
import { fixture } from './fixture.js'

describe('backup listings (real restic 0.14 / borg 1.2 output)', () => {
  it('restic snapshots --json: newest time, nanoseconds cut to milliseconds', () => {
    expect(parseResticSnapshots(fixture('restic-snapshots.json'))).toEqual({ newest: '2026-11-23T16:12:05.686Z', count: 2 })
    expect(parseResticSnapshots('[]')).toEqual({ newest: null, count: 0 })
    expect(() => parseResticSnapshots('{}')).toThrow(/array/)
  })

  it('borg list --json: zone-less times (borg ran with TZ=UTC)', () => {
    expect(parseBorgList(fixture('borg-list.json'))).toEqual({ newest: '2026-11-23T16:12:39.000Z', count: 2 })
    expect(() => parseBorgList('[]')).toThrow(/archives/)
  })

  it('stat -c "%Y %n" lines', () => {
    expect(parseStatLines('1767225600 /var/backups/a.tar\n1767312000 /var/backups/b tar\n')).toEqual({ newest: '2026-01-02T00:00:00.000Z', count: 2 })
    expect(parseStatLines('')).toEqual({ newest: null, count: 0 })
  })

  it.each([
    ['2024-05-14T21:05:33.012345678+02:00', Date.UTC(2024, 4, 14, 19, 5, 33, 12)],
    ['2024-05-14T21:05:33Z', Date.UTC(2024, 4, 14, 21, 5, 33)],
    ['2024-05-14T21:05:33.000000', Date.UTC(2024, 4, 14, 21, 5, 33)],
    ['2024-05-14T21:05:33+0100', Date.UTC(2024, 4, 14, 20, 5, 33)],
  ])('parseTimestamp %s', (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms)
  })

  it('plans find for a glob', () => {
    expect(planGlob('/var/backups/db-*.sql.gz')).toEqual({ base: '/var/backups', depth: 1 })
    expect(planGlob('/srv/backup/*/daily/*.tar')).toEqual({ base: '/srv/backup', depth: 3 })
    expect(planGlob('/srv/backup/**/*.tar')).toEqual({ base: '/srv/backup', depth: null })
    expect(planGlob('/var/backups/latest.tar')).toBeNull()
  })
})

describe('access config', () => {
  it('has secure defaults', () => {
    expect(accessConfigSchema.parse({})).toEqual({ sshdPath: '/usr/sbin/sshd', sshAddresses: ['203.0.113.10'], rootDir: '/', backups: [] })
  })

  it('refuses credentials in a repository location and misspelled keys', () => {
    expect(() => accessConfigSchema.parse({ backups: [{ kind: 'restic', repository: 'rest:https://user:secret@backup.example.net/node1' }] })).toThrow(/credentials/)
    expect(() => accessConfigSchema.parse({ backups: [{ kind: 'borg', repository: '/srv/borg', passphrase: 'x' }] })).toThrow()
    expect(() => accessConfigSchema.parse({ sshdconfig: '/etc/ssh/sshd_config' })).toThrow()
  })

  it('takes a backup source with a default maximum age of 26 hours', () => {
    const config = accessConfigSchema.parse({ backups: [{ kind: 'files', glob: '/var/backups/*.tar' }] })
    expect(config.backups).toEqual([{ kind: 'files', glob: '/var/backups/*.tar', maxAgeHours: 26 }])
  })
})
