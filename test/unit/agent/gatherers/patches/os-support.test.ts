import { describe, expect, it } from 'vitest'
import { assessOsSupport, releaseCycle } from '../../../../../agent/gatherers/patches/os-support.js'
import { parseOsRelease } from '../../../../../agent/gatherers/system/os-release.js'
import { loadOsEolTable } from '../../../../../rules/data/os-eol.js'
import type { OsFacts } from '../../../../../rules/facts/system.js'
import { fixture } from './fixture.js'

const table = loadOsEolTable()
const os = (name: string): OsFacts => parseOsRelease(fixture(name))!

describe('assessOsSupport', () => {
  it('Debian 12: security support until 2026-07-11, then free LTS until 2028-06-30', () => {
    expect(assessOsSupport(table, os('etc-os-release.txt'))).toEqual({
      ok: true,
      value: {
        distribution: 'debian', cycle: '12', codename: 'Bookworm', securityEnd: '2026-07-11', extendedEnd: '2028-06-30',
        extendedName: 'LTS', extendedFree: true, source: 'endoflife.date (compiled 2026-08-22)',
      },
    })
  })

  it('Ubuntu 18.04: ESM is a paid extension', () => {
    const result = assessOsSupport(table, os('os-release.ubuntu-18.04.txt'))
    expect(result).toMatchObject({ ok: true, value: { cycle: '18.04', extendedName: 'ESM (Ubuntu Pro)', extendedFree: false } })
  })

  it('Rocky 9.6 and AlmaLinux 9.4 map to cycle 9; Alpine 3.21.3 to 3.21', () => {
    expect(assessOsSupport(table, os('os-release.rocky-9.6.txt'))).toMatchObject({ ok: true, value: { distribution: 'rocky', cycle: '9', securityEnd: '2032-05-31', extendedEnd: null } })
    expect(assessOsSupport(table, os('os-release.almalinux-9.4.txt'))).toMatchObject({ ok: true, value: { distribution: 'almalinux', cycle: '9', securityEnd: '2032-05-31' } })
    expect(assessOsSupport(table, os('os-release.alpine-3.21.txt'))).toMatchObject({ ok: true, value: { distribution: 'alpine', cycle: '3.21', securityEnd: '2026-11-01', extendedName: null } })
  })

  it('a distribution outside the table is an error with the reason, unless os-release has SUPPORT_END', () => {
    const centos = assessOsSupport(table, os('os-release.centos-7.txt'))
    expect(centos.ok).toBe(false)
    expect(!centos.ok && centos.reason).toMatch(/no end-of-life data for CentOS Linux 7 \(Core\) \(ID=centos\).*no SUPPORT_END/)
    const fedora: OsFacts = { id: 'fedora', idLike: [], name: 'Fedora Linux', prettyName: 'Fedora Linux 41', versionId: '41', versionCodename: null, supportEnd: '2025-12-15' }
    expect(assessOsSupport(table, fedora)).toEqual({
      ok: true,
      value: { distribution: 'fedora', cycle: '41', codename: null, securityEnd: '2025-12-15', extendedEnd: null, extendedName: null, extendedFree: false, source: 'os-release SUPPORT_END' },
    })
  })

  it('a release newer than the table is an error naming the table’s date', () => {
    const debian14: OsFacts = { ...os('etc-os-release.txt'), versionId: '14', versionCodename: 'forky' }
    const result = assessOsSupport(table, debian14)
    expect(!result.ok && result.reason).toBe('Debian 14 is not in the embedded end-of-life table (compiled 2026-08-22 from endoflife.date products/*.md, commit a70eca33 (MIT)); update Posture')
  })

  it('Debian testing/sid (no VERSION_ID) has no dates', () => {
    const sid: OsFacts = { ...os('etc-os-release.txt'), versionId: null, prettyName: 'Debian GNU/Linux trixie/sid' }
    expect(assessOsSupport(table, sid)).toEqual({ ok: false, reason: 'Debian GNU/Linux trixie/sid has no VERSION_ID (a testing or rolling branch?): it has no published security support dates' })
  })

  it.each([
    ['12.11', 'major', '12'],
    ['3.21.3', 'major.minor', '3.21'],
    ['22.04', 'exact', '22.04'],
  ] as const)('releaseCycle(%s, %s) = %s', (version, from, cycle) => {
    expect(releaseCycle(version, from)).toBe(cycle)
  })
})
