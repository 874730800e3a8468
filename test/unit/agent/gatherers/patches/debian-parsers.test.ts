import { describe, expect, it } from 'vitest'
import { assessUnattendedUpgrades, parseAptConfigDump } from '../../../../../agent/gatherers/patches/apt-config.js'
import { compareDebianVersions } from '../../../../../agent/gatherers/patches/deb-version.js'
import { kernelFlavour, newestDebianKernel, parseDpkgKernels, parseRpmLastKernels } from '../../../../../agent/gatherers/patches/installed-kernels.js'
import { parseNeedrestartBatch } from '../../../../../agent/gatherers/patches/needrestart.js'
import { fixture } from './fixture.js'

describe('compareDebianVersions (dpkg --compare-versions)', () => {
  it.each([
    ['1.0', '1.0', 0],
    ['1.0-1', '1.0-2', -1],
    ['1.0~rc1', '1.0', -1], // ~ sorts before the end
    ['1.0', '1.0+b1', -1],
    ['2:1.0', '1:9.9', 1], // epoch first
    ['12.4+deb12u11', '12.4+deb12u15', -1],
    ['20230311+deb12u1', '20250419~deb12u2', -1],
    ['6.1.124-1', '6.1.119-1', 1],
    ['1.0a', '1.0.1', -1], // letters sort before other characters
    ['3.0.19-1~deb12u2', '3.0.22-1~deb12u2', -1],
    ['5.15.0-130.140', '5.15.0-91.101', 1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareDebianVersions(a, b))).toBe(sign)
    expect(Math.sign(compareDebianVersions(b, a))).toBe(-sign || 0)
  })
})

describe('parseNeedrestartBatch', () => {
  it('reads upstream’s README.batch sample: running the newest kernel (KSTA 1)', () => {
    const report = parseNeedrestartBatch(fixture('needrestart-b.jc-standard.txt'))
    expect(report).toMatchObject({ version: '2.1', kernel: { running: '3.19.3-tl1+', expected: '3.19.3-tl1+', status: 1 } })
    expect(report?.services).toEqual(['systemd-journald.service', 'systemd-machined.service'])
    expect(report?.containers).toEqual(['LXC web1'])
  })

  it('reads a pending kernel version upgrade (KSTA 3) with a Perl warning mixed in', () => {
    const text = fixture('needrestart-b.jc-extralines.txt')
    expect(text).toContain('Use of uninitialized value')
    const report = parseNeedrestartBatch(text)
    expect(report?.kernel).toEqual({ running: '5.10.0-19-amd64', expected: '5.10.0-20-amd64', status: 3 })
    expect(report?.microcodeStatus).toBe(1)
    expect(report?.microcode).toEqual({ current: '0x08108109', expected: null })
    expect(report?.services).toHaveLength(3)
  })

  it('reads KSTA 0 (no kernel image in /boot) from the lab VM, merged and stdout-only alike', () => {
    for (const name of ['needrestart-b.txt', 'needrestart-b.stdout.txt', 'needrestart-b-k.txt']) {
      const report = parseNeedrestartBatch(fixture(name))
      expect(report?.kernel, name).toEqual({ running: '6.18.44-fc-v769', expected: null, status: 0 })
    }
  })

  it('leaves the kernel status null when needrestart printed none (PID-only output)', () => {
    expect(parseNeedrestartBatch(fixture('needrestart-b.jc-pid.txt'))?.kernel.status).toBeNull()
  })

  it('is null for output without NEEDRESTART- lines', () => {
    expect(parseNeedrestartBatch('Use of uninitialized value in unpack at /usr/sbin/needrestart line 79.\n')).toBeNull()
  })
})

describe('unattended-upgrades from apt-config dump', () => {
  it('the Debian 12 default configuration is enabled, with the security origin', () => {
    const facts = assessUnattendedUpgrades(parseAptConfigDump(fixture('apt-config-dump-periodic.txt')), true)
    expect(facts.enabled).toBe(true)
    expect(facts.details).toContain('APT::Periodic::Unattended-Upgrade "1"')
    expect(facts.details.join('\n')).toContain('label=Debian-Security')
  })

  it('the same configuration without the package is not enabled', () => {
    expect(assessUnattendedUpgrades(parseAptConfigDump(fixture('apt-config-dump-periodic.txt')), false).enabled).toBe(false)
  })

  it('a node without unattended-upgrades (this project’s machine) is not enabled', () => {
    const config = parseAptConfigDump(fixture('apt-config-dump.no-unattended.local.txt'))
    expect(config.get('APT::Architecture')).toEqual(['amd64'])
    const facts = assessUnattendedUpgrades(config, false)
    expect(facts).toMatchObject({ enabled: false, tool: 'unattended-upgrades' })
    expect(facts.details).toContain('APT::Periodic::Unattended-Upgrade "0"')
  })

  it('"0" turns it off; origins without security are not enough', () => {
    const off = fixture('apt-config-dump-periodic.txt').replace('Unattended-Upgrade "1"', 'Unattended-Upgrade "0"')
    expect(assessUnattendedUpgrades(parseAptConfigDump(off), true).enabled).toBe(false)
    const noSecurity = 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\nUnattended-Upgrade::Origins-Pattern:: "origin=Debian,codename=${distro_codename},label=Debian";\n'
    const facts = assessUnattendedUpgrades(parseAptConfigDump(noSecurity), true)
    expect(facts.enabled).toBe(false)
    expect(facts.details.at(-1)).toMatch(/^no security origin among the allowed origins/)
  })

  it('APT::Periodic::Enable "0" disables every periodic job', () => {
    const text = fixture('apt-config-dump-periodic.txt') + 'APT::Periodic::Enable "0";\n'
    expect(assessUnattendedUpgrades(parseAptConfigDump(text), true).enabled).toBe(false)
  })
})

describe('installed kernels', () => {
  const dpkg = [
    'linux-image-6.1.0-25-amd64 6.1.106-3 rc ',
    'linux-image-6.1.0-28-amd64 6.1.119-1 ii ',
    'linux-image-6.1.0-30-amd64 6.1.124-1 ii ',
    'linux-image-6.1.0-30-amd64-dbg 6.1.124-1 ii ',
    'linux-image-6.1.0-31-cloud-amd64 6.1.128-1 ii ',
  ].join('\n')

  it('reads dpkg-query, skipping removed (rc) and -dbg packages', () => {
    expect(parseDpkgKernels(dpkg).map((k) => k.release)).toEqual(['6.1.0-28-amd64', '6.1.0-30-amd64', '6.1.0-31-cloud-amd64'])
  })

  it('finds the newest of the running flavour by package version', () => {
    expect(newestDebianKernel(parseDpkgKernels(dpkg), '6.1.0-28-amd64')?.release).toBe('6.1.0-30-amd64')
    expect(newestDebianKernel(parseDpkgKernels(dpkg), '6.1.0-31-cloud-amd64')?.release).toBe('6.1.0-31-cloud-amd64')
    expect(newestDebianKernel(parseDpkgKernels(dpkg), '6.18.44-fc-v769')).toBeNull()
    expect(newestDebianKernel([], '6.1.0-28-amd64')).toBeNull()
  })

  it.each([
    ['6.1.0-28-amd64', 'amd64'],
    ['6.1.0-31-cloud-amd64', 'cloud-amd64'],
    ['5.15.0-130-generic', 'generic'],
    ['6.6.58-0-lts', 'lts'],
    ['6.18.44-fc-v769', 'fc-v769'],
  ])('flavour of %s is %s', (release, flavour) => {
    expect(kernelFlavour(release)).toBe(flavour)
  })

  it('reads `rpm -q --last kernel`, newest install first (Vuls’ sample)', () => {
    expect(parseRpmLastKernels(fixture('rpm-q-last-kernel.vuls.txt'))).toEqual(['3.10.0-1160.24.1.el7.x86_64', '3.10.0-1062.12.1.el7.x86_64'])
    expect(parseRpmLastKernels('package kernel is not installed\n')).toEqual([])
  })
})
