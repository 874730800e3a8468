import { describe, expect, it } from 'vitest'
import { findApkUpgradeJobs, parseApkListUpgradable, parseApkVersion, splitApkPackage } from '../../../../../agent/gatherers/patches/apk.js'
import { assessDnfAutomatic, parseAutomaticApplyUpdates, parseSystemctlShow } from '../../../../../agent/gatherers/patches/dnf-automatic.js'
import { parseDnfCheckUpdate, parseDnfUpdateinfoSecurity, parseNeedsRestarting, rpmName } from '../../../../../agent/gatherers/patches/dnf-check-update.js'
import { parseStatTimes } from '../../../../../agent/gatherers/patches/file-times.js'
import { fixture } from './fixture.js'

describe('dnf check-update', () => {
  it('reads name.arch, evr and repo, and stops at Obsoleting Packages', () => {
    expect(parseDnfCheckUpdate(fixture('dnf-check-update.ci-dnf-stack.txt'))).toEqual([
      { name: 'glibc', arch: 'x86_64', evr: '2.28-26.fc29', repository: 'dnf-ci-fedora-updates' },
      { name: 'glibc-common', arch: 'x86_64', evr: '2.28-26.fc29', repository: 'dnf-ci-fedora-updates' },
      { name: 'glibc-all-langpacks', arch: 'x86_64', evr: '2.28-26.fc29', repository: 'dnf-ci-fedora-updates' },
    ])
  })

  it('joins a name.arch that dnf4 wrapped onto its own line', () => {
    expect(parseDnfCheckUpdate(fixture('dnf-check-update.wrapped.synthetic.txt'))).toEqual([
      { name: 'NetworkManager-initscripts-updown', arch: 'noarch', evr: '1:1.46.0-26.el9_4', repository: 'baseos' },
      { name: 'bash', arch: 'x86_64', evr: '5.1.8-9.el9', repository: 'baseos' },
      { name: 'python3-libselinux', arch: 'x86_64', evr: '3.6-1.el9', repository: 'baseos' },
    ])
  })

  it('gives nothing for "nothing to update" and for noise', () => {
    expect(parseDnfCheckUpdate('')).toEqual([])
    expect(parseDnfCheckUpdate('Last metadata expiration check: 0:12:16 ago on Sun 02 Apr 2023 07:33:22 AM UTC.\n')).toEqual([])
  })
})

describe('dnf updateinfo list --security', () => {
  it('dnf4 on RHEL 9: advisories, severities and package names, noise lines skipped', () => {
    const advisories = parseDnfUpdateinfoSecurity(fixture('dnf4-updateinfo-list-security.rhel9.txt'))
    expect(advisories).toHaveLength(9)
    expect(advisories[0]).toEqual({ advisory: 'RHSA-2023:0340', severity: 'Moderate', nevra: 'bash-5.1.8-6.el9_1.x86_64', name: 'bash' })
    expect(advisories.find((a) => a.advisory === 'RHSA-2023:0335')?.name).toBe('dbus')
    expect(advisories.find((a) => a.advisory === 'RHSA-2022:8385')?.name).toBe('dhcp-client')
    expect(advisories.filter((a) => a.name === 'kernel').map((a) => a.severity)).toEqual(['Important', 'Important', 'Important', 'Moderate'])
  })

  it('dnf4 --all marks installed advisories with "i"', () => {
    expect(parseDnfUpdateinfoSecurity(fixture('dnf4-updateinfo-list-all-security.ci-dnf-stack.txt'))).toEqual([
      { advisory: 'FEDORA-2018-318f184113', severity: 'Moderate', nevra: 'CQRlib-1.1.2-16.fc29.x86_64', name: 'CQRlib' },
    ])
  })

  it('dnf5 table layout', () => {
    expect(parseDnfUpdateinfoSecurity(fixture('dnf5-advisory-list-all-security.ci-dnf-stack.txt'))).toEqual([
      { advisory: 'FEDORA-2018-318f184113', severity: 'Moderate', nevra: 'CQRlib-1.1.2-16.fc29.x86_64', name: 'CQRlib' },
    ])
  })

  it('Amazon Linux lowercase severities; bugfix rows and summaries are not security', () => {
    expect(parseDnfUpdateinfoSecurity('ALAS-2023-1 important/Sec. openssl-3.0.8-1.amzn2023.x86_64\nALAS-2023-2 bugfix vim-9.0-1.amzn2023.x86_64\n')).toEqual([
      { advisory: 'ALAS-2023-1', severity: 'Important', nevra: 'openssl-3.0.8-1.amzn2023.x86_64', name: 'openssl' },
    ])
    expect(parseDnfUpdateinfoSecurity(fixture('dnf5-advisory-summary.none.ci-dnf-stack.txt'))).toEqual([])
  })

  it('rpmName drops arch, version and release', () => {
    expect(rpmName('dhcp-client-12:4.4.2-17.b1.el9.x86_64')).toBe('dhcp-client')
    expect(rpmName('kernel-5.14.0-162.22.2.el9_1.x86_64')).toBe('kernel')
  })
})

describe('needs-restarting -r', () => {
  it('dnf4 reboot required lists the packages', () => {
    expect(parseNeedsRestarting(fixture('needs-restarting-r.required.ci-dnf-stack.txt'))).toEqual({ required: true, packages: ['glibc', 'kernel'] })
  })
  it('dnf5 tab-indented names', () => {
    expect(parseNeedsRestarting('Core libraries or services have been updated since boot-up:\n\tglibc\n\tsystemd\n\nReboot is required to fully utilize these updates.\n')).toEqual({
      required: true,
      packages: ['glibc', 'systemd'],
    })
  })
  it('not required', () => {
    expect(parseNeedsRestarting(fixture('needs-restarting-r.not-required.ci-dnf-stack.txt'))).toEqual({ required: false, packages: [] })
  })
  it('an error message is neither', () => {
    expect(parseNeedsRestarting("No such command: needs-restarting. Please use /usr/bin/dnf --help\n")).toBeNull()
  })
})

describe('dnf-automatic', () => {
  const show = (install: string, plain: string) =>
    `Id=dnf-automatic.timer\nLoadState=loaded\nUnitFileState=${plain}\n\nId=dnf-automatic-install.timer\nLoadState=loaded\nUnitFileState=${install}\n\nId=dnf5-automatic.timer\nLoadState=not-found\nUnitFileState=\n`

  it('parses systemctl show blocks', () => {
    const units = parseSystemctlShow(show('enabled', 'disabled'))
    expect(units.get('dnf-automatic-install.timer')?.get('UnitFileState')).toBe('enabled')
    expect(units.get('dnf5-automatic.timer')?.get('LoadState')).toBe('not-found')
  })

  it('the install timer applies updates', () => {
    expect(assessDnfAutomatic(parseSystemctlShow(show('enabled', 'disabled')), false).enabled).toBe(true)
  })

  it('the plain timer applies them only with apply_updates = yes', () => {
    expect(assessDnfAutomatic(parseSystemctlShow(show('disabled', 'enabled')), false).enabled).toBe(false)
    expect(assessDnfAutomatic(parseSystemctlShow(show('disabled', 'enabled')), true).enabled).toBe(true)
  })

  it('not installed', () => {
    const facts = assessDnfAutomatic(parseSystemctlShow('Id=dnf-automatic.timer\nLoadState=not-found\n'), null)
    expect(facts).toMatchObject({ enabled: false, tool: 'dnf-automatic' })
    expect(facts.details).toContain('dnf-automatic.timer: not installed')
  })

  it('reads apply_updates from [commands] only', () => {
    expect(parseAutomaticApplyUpdates('[commands]\nupgrade_type = security\napply_updates = yes\n')).toBe(true)
    expect(parseAutomaticApplyUpdates('[commands]\n# apply_updates = yes\napply_updates = no\n')).toBe(false)
    expect(parseAutomaticApplyUpdates('[emitters]\napply_updates = yes\n')).toBe(false)
  })
})

describe('apk', () => {
  it('reads `apk list --upgradable` (Vuls’ Alpine 3.20 sample)', () => {
    const upgrades = parseApkListUpgradable(fixture('apk-list-upgradable.vuls.txt'))
    expect(upgrades).toHaveLength(6)
    expect(upgrades[0]).toEqual({ name: 'busybox', arch: 'x86_64', installed: '1.36.1-r28', candidate: '1.36.1-r29', origin: 'busybox' })
    expect(upgrades.find((u) => u.name === 'ca-certificates-bundle')).toMatchObject({ installed: '20240226-r0', candidate: '20240705-r0', origin: 'ca-certificates' })
  })

  it('reads `apk version -l <` (Vuls’ sample)', () => {
    expect(parseApkVersion(fixture('apk-version.vuls.txt'))).toEqual([
      { name: 'libcrypto1.0', arch: null, installed: '1.0.1q-r0', candidate: '1.0.2m-r0', origin: null },
      { name: 'libssl1.0', arch: null, installed: '1.0.1q-r0', candidate: '1.0.2m-r0', origin: null },
      { name: 'nrpe', arch: null, installed: '2.14-r2', candidate: '2.15-r5', origin: null },
    ])
  })

  it('splits package-version-release', () => {
    expect(splitApkPackage('ssl_client-1.36.1-r29')).toEqual({ name: 'ssl_client', version: '1.36.1-r29' })
  })

  it('finds cron jobs running apk upgrade, ignoring comments', () => {
    const files = new Map([
      ['/etc/crontabs/root', '# min hour day month weekday command\n*/15 * * * * run-parts /etc/periodic/15min\n#0 4 * * * apk upgrade\n'],
      ['/etc/periodic/daily/apk-upgrade', '#!/bin/sh\napk -U upgrade --no-interactive\n'],
    ])
    expect(findApkUpgradeJobs(files)).toEqual(['/etc/periodic/daily/apk-upgrade: apk -U upgrade --no-interactive'])
  })
})

describe('stat -c "%Y %n"', () => {
  it('reads times and names, skipping errors', () => {
    expect(parseStatTimes('1763913384 /var/lib/apt/lists/a_InRelease\nstat: cannot statx \'x\': No such file or directory\n')).toEqual([
      { path: '/var/lib/apt/lists/a_InRelease', mtime: new Date('2025-11-23T15:56:24Z') },
    ])
  })
})
