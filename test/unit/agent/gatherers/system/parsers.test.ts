import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseOsRelease } from '../../../../../agent/gatherers/system/os-release.js'
import { parseChronycTracking, parseTimedatectlShow } from '../../../../../agent/gatherers/system/time-sync.js'

const fixture = (name: string) => readFileSync(new URL(`../../../../fixtures/system/${name}`, import.meta.url), 'utf8')

describe('parseOsRelease', () => {
  it('Debian 12', () => {
    expect(parseOsRelease(fixture('os-release.debian12.txt'))).toEqual({
      id: 'debian',
      idLike: [],
      name: 'Debian GNU/Linux',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      versionId: '12',
      versionCodename: 'bookworm',
      supportEnd: null,
    })
  })

  it('CentOS 7: quoted values, ID_LIKE list', () => {
    expect(parseOsRelease(fixture('os-release.centos.txt'))).toMatchObject({ id: 'centos', idLike: ['rhel', 'fedora'], versionId: '7', versionCodename: null })
  })

  it('Ubuntu 18.04: unquoted values', () => {
    expect(parseOsRelease(fixture('os-release.ubuntu.txt'))).toMatchObject({ id: 'ubuntu', idLike: ['debian'], versionId: '18.04', versionCodename: 'bionic' })
  })

  it('SUPPORT_END, escapes and comments', () => {
    const text = '# comment\nID=fedora\nNAME="Fedora \\"Linux\\""\nSUPPORT_END=2026-05-12\n'
    expect(parseOsRelease(text)).toMatchObject({ id: 'fedora', name: 'Fedora "Linux"', supportEnd: '2026-05-12' })
  })

  it('no ID is not an os-release file', () => {
    expect(parseOsRelease('NAME=x\n')).toBeNull()
    expect(parseOsRelease('')).toBeNull()
  })
})

describe('time synchronisation', () => {
  it('timedatectl show', () => {
    expect(parseTimedatectlShow(fixture('timedatectl-show.synced.txt'))).toEqual({ source: 'timedatectl', synchronized: true, ntpEnabled: true })
    expect(parseTimedatectlShow('NTP=no\nNTPSynchronized=no\n')).toEqual({ source: 'timedatectl', synchronized: false, ntpEnabled: false })
    expect(parseTimedatectlShow('Timezone=UTC\n')).toBeNull()
  })

  it('chronyc tracking', () => {
    expect(parseChronycTracking(fixture('chronyc-tracking.synced.txt'))).toEqual({ source: 'chronyc', synchronized: true, ntpEnabled: true })
    expect(parseChronycTracking(fixture('chronyc-tracking.unsynced.txt'))).toEqual({ source: 'chronyc', synchronized: false, ntpEnabled: true })
    expect(parseChronycTracking('506 Cannot talk to daemon\n')).toBeNull()
  })
})
