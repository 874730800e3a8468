import { describe, expect, it } from 'vitest'
import { parseAptListUpgradable } from '../../../../../agent/gatherers/patches/apt-list-upgradable.js'
import { isSecurityOrigin } from '../../../../../agent/gatherers/patches/apt-origins.js'
import { parseAptSimulation } from '../../../../../agent/gatherers/patches/apt-simulation.js'
import { fixture } from './fixture.js'

const names = (list: { name: string }[]) => list.map((p) => p.name).sort()

describe('isSecurityOrigin', () => {
  it.each([
    ['Debian-Security:12/oldstable-security', true],
    ['Debian-Security:10/oldstable', true], // the label alone (jc's Debian 10 sample)
    ['Debian:12.15/oldstable', false],
    ['oldstable-security', true], // a superseded release: the archive name, not bookworm-security
    ['bookworm-security', true],
    ['jammy-security', true],
    ['jammy-updates', false],
    ['Ubuntu:22.04/jammy-security', true],
    ['UbuntuESMApps:22.04/jammy-apps-security', true],
    ['Docker:bookworm/bookworm', false],
  ])('%s → %s', (origin, expected) => {
    expect(isSecurityOrigin(origin)).toBe(expected)
  })
})

describe('parseAptListUpgradable', () => {
  it('reads the lab Debian 12 list: 136 upgrades, 81 from oldstable-security', () => {
    const list = parseAptListUpgradable(fixture('apt-list-upgradable.txt'))
    expect(list).toHaveLength(136)
    expect(list.filter((p) => p.security)).toHaveLength(81)
    expect(list.find((p) => p.name === 'apt')).toEqual({
      name: 'apt', suites: ['oldstable-security'], candidate: '2.6.2', arch: 'amd64', installed: '2.6.1', security: true,
    })
    expect(list.find((p) => p.name === 'krb5-locales')).toMatchObject({ suites: ['oldstable', 'oldstable-security'], security: true })
    expect(list.find((p) => p.name === 'base-files')).toMatchObject({ candidate: '12.4+deb12u15', installed: '12.4+deb12u11', security: false })
  })

  it('skips the WARNING and Listing lines that apt mixes in when stderr is merged', () => {
    const merged = fixture('apt-list-upgradable.with-stderr.txt')
    expect(merged).toContain('WARNING: apt does not have a stable CLI interface')
    expect(parseAptListUpgradable(merged)).toEqual(parseAptListUpgradable(fixture('apt-list-upgradable.txt')))
  })

  it('reads Ubuntu pockets: jammy-updates,jammy-security is security, jammy-updates alone is not', () => {
    const list = parseAptListUpgradable(fixture('apt-list-upgradable.ubuntu-jammy.txt'))
    expect(list.map((p) => [p.name, p.security])).toEqual([
      ['libssl3', true],
      ['linux-image-generic', false],
      ['vim', false],
    ])
    expect(list[2]).toMatchObject({ candidate: '2:8.2.3995-1ubuntu2.22', installed: '2:8.2.3995-1ubuntu2.21' })
  })

  it('gives nothing for an empty list', () => {
    expect(parseAptListUpgradable('Listing...\n')).toEqual([])
  })
})

describe('parseAptSimulation', () => {
  it('reads the lab `apt-get -s upgrade`: Inst lines, origins and the summary', () => {
    const sim = parseAptSimulation(fixture('apt-get-s-upgrade.txt'))
    expect(sim.summary).toEqual({ upgraded: 136, newlyInstalled: 0, toRemove: 0, notUpgraded: 0 })
    expect(sim.upgrades).toHaveLength(136)
    expect(sim.upgrades.filter((u) => u.security)).toHaveLength(81)
    expect(sim.upgrades.find((u) => u.name === 'libgcrypt20')).toEqual({
      name: 'libgcrypt20', arch: 'amd64', installed: '1.10.1-3', candidate: '1.10.1-3+deb12u1',
      origins: ['Debian:12.15/oldstable', 'Debian-Security:12/oldstable-security'], security: true,
    })
    // A trailing breaks list after the origins does not confuse the parser.
    expect(sim.upgrades.find((u) => u.name === 'libpam-modules-bin')).toMatchObject({ candidate: '1.5.2-6+deb12u2', security: false })
  })

  it('agrees with `apt list --upgradable` captured on the same lab machine', () => {
    const sim = parseAptSimulation(fixture('apt-get-s-upgrade.txt'))
    const list = parseAptListUpgradable(fixture('apt-list-upgradable.txt'))
    expect(names(sim.upgrades)).toEqual(names(list))
    expect(names(sim.upgrades.filter((u) => u.security))).toEqual(names(list.filter((p) => p.security)))
  })

  it('agrees with `apt list --upgradable` on this project’s machine (-V dist-upgrade capture)', () => {
    const sim = parseAptSimulation(fixture('apt-get-s-V-dist-upgrade.local.txt'))
    const list = parseAptListUpgradable(fixture('apt-list-upgradable.local.txt'))
    expect(sim.upgrades.length).toBeGreaterThan(100)
    expect(sim.summary?.upgraded).toBe(sim.upgrades.length)
    expect(names(sim.upgrades)).toEqual(names(list))
    expect(names(sim.upgrades.filter((u) => u.security))).toEqual(names(list.filter((p) => p.security)))
  })

  it('reads kept-back packages with their versions (-V), e.g. held ones', () => {
    const sim = parseAptSimulation(fixture('apt-get-s-V-dist-upgrade.held.local.txt'))
    expect(sim.keptBack).toEqual([
      { name: 'bash', installed: '5.2.15-2+b8', candidate: '5.2.15-2+b13' },
      { name: 'libssl-dev', installed: '3.0.19-1~deb12u2', candidate: '3.0.22-1~deb12u2' },
      { name: 'libssl3', installed: '3.0.19-1~deb12u2', candidate: '3.0.22-1~deb12u2' },
    ])
    expect(sim.summary).toMatchObject({ notUpgraded: 3 })
    expect(sim.upgrades.map((u) => u.name)).not.toContain('bash')
  })

  it('reads kept-back names without -V', () => {
    const sim = parseAptSimulation('The following packages have been kept back:\n  bash libssl3\n0 upgraded, 0 newly installed, 0 to remove and 2 not upgraded.\n')
    expect(sim.keptBack).toEqual([
      { name: 'bash', installed: null, candidate: null },
      { name: 'libssl3', installed: null, candidate: null },
    ])
  })

  it('reads jc’s `apt-get -sqq` sample: duplicates once, Remv and Conf skipped, new installs apart', () => {
    const sim = parseAptSimulation(fixture('apt-get-sqq.jc-sample.txt'))
    expect(sim.summary).toBeNull()
    expect(sim.upgrades.map((u) => [u.name, u.installed, u.candidate, u.security])).toEqual([
      ['dpkg', '1.19.7', '1.19.8', true],
      ['base-files', '10.3+deb10u4', '10.3+deb10u13', false],
    ])
    expect(sim.newInstalls).toEqual(['dpkg'])
  })

  it('reads a run with nothing to do (Vuls’ Ubuntu 14.04 sample)', () => {
    const text = 'Reading package lists... Done\nBuilding dependency tree\nReading state information... Done\nCalculating upgrade... Done\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n'
    expect(parseAptSimulation(text)).toEqual({ upgrades: [], keptBack: [], newInstalls: [], summary: { upgraded: 0, newlyInstalled: 0, toRemove: 0, notUpgraded: 0 } })
  })
})
