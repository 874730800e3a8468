import { describe, expect, it } from 'vitest'
import { gatherPatches } from '../../../../../agent/gatherers/patches/gather-patches.js'
import type { GatherResult } from '../../../../../agent/gatherers/gatherer.js'
import type { Host } from '../../../../../agent/host/host.js'
import { defaultScanConfig } from '../../../../../agent/scan-config.js'
import { evaluateRules } from '../../../../../rules/evaluate.js'
import { fixture } from './fixture.js'
import { loadPatchRules } from './patch-rules.js'
import { ArgvRecorder, denied, dir, file, machine, noFile, notFound, out, type MachineSpec } from './machine.js'

const patchRules = loadPatchRules()
const now = new Date('2026-11-23T12:00:00Z')

async function gather(host: Host): Promise<GatherResult> {
  return gatherPatches({ host, now, config: defaultScanConfig })
}

/** rule id → [status, message] after the patches rules ran over the gathered facts. */
function verdicts(result: GatherResult, at: Date = now): Record<string, [string, string]> {
  const findings = evaluateRules(patchRules, { facts: result.facts, factErrors: result.errors, now: at })
  return Object.fromEntries(findings.map((f) => [f.rule, [f.status, f.message]]))
}

const statuses = (result: GatherResult, at?: Date) => Object.fromEntries(Object.entries(verdicts(result, at)).map(([id, [status]]) => [id, status]))

const aptList = 'apt list --upgradable'
const aptSim = 'apt-get -s -V -o Debug::NoLocking=true dist-upgrade'
const uuStatus = 'dpkg-query -W --showformat=${db:Status-Abbrev} unattended-upgrades'
const kernelPkgs = 'dpkg-query -W --showformat=${Package} ${Version} ${db:Status-Abbrev}\\n linux-image-[0-9]*'
const needrestart = 'needrestart -b -r l'
const detectVirt = 'systemd-detect-virt --container'
const lists = '/var/lib/apt/lists'
const securityRelease = `${lists}/deb.debian.org_debian-security_dists_bookworm-security_InRelease`
const mainRelease = `${lists}/deb.debian.org_debian_dists_bookworm_InRelease`
const noPackages = (pattern: string) => out('', 1, `dpkg-query: no packages found matching ${pattern}\n`)

/** The lab Debian 12 VM of host-facts.md: 136 pending updates, 81 security, no kernel in /boot. */
function labDebian(overrides: MachineSpec = {}): MachineSpec {
  return {
    files: {
      '/etc/os-release': file(fixture('etc-os-release.txt')),
      '/proc/sys/kernel/osrelease': file('6.18.44-fc-v769\n'),
      '/var/run/reboot-required': noFile('/var/run/reboot-required'),
      '/var/run/reboot-required.pkgs': noFile('/var/run/reboot-required.pkgs'),
      ...overrides.files,
    },
    dirs: {
      [lists]: dir('auxfiles', 'deb.debian.org_debian-security_dists_bookworm-security_InRelease', 'deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages.lz4', 'deb.debian.org_debian_dists_bookworm_InRelease', 'lock', 'partial'),
      '/var/lib/apt/periodic': dir(),
      '/etc/kernel/postinst.d': dir('unattended-upgrades', 'zz-update-grub'),
      ...overrides.dirs,
    },
    commands: {
      [aptList]: out(fixture('apt-list-upgradable.txt'), 0, '\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n'),
      'apt-config dump': out(fixture('apt-config-dump-periodic.txt')),
      [uuStatus]: out('ii '),
      [needrestart]: out(fixture('needrestart-b.stdout.txt'), 0, 'readline() on closed filehandle HENV at /usr/sbin/needrestart line 79.\n'),
      [kernelPkgs]: noPackages('linux-image-[0-9]*'),
      [detectVirt]: out('none\n', 1),
      [`stat -c %Y %n ${securityRelease} ${mainRelease}`]: out(`1763913384 ${securityRelease}\n1752228960 ${mainRelease}\n`),
      ...overrides.commands,
    },
  }
}

describe('gatherPatches on Debian', () => {
  it('the lab VM: pending and security updates, auto-updates, index age, support dates', async () => {
    const result = await gather(machine(labDebian()))
    const patches = result.facts.patches!
    expect(patches.manager).toBe('apt')
    expect(patches.pendingUpdates).toHaveLength(136)
    expect(patches.pendingUpdates?.find((u) => u.name === 'apt')).toEqual({
      target: 'apt', name: 'apt', arch: 'amd64', installed: '2.6.1', candidate: '2.6.2', sources: ['oldstable-security'], security: true, keptBack: false,
    })
    expect(patches.securityUpdates).toHaveLength(81)
    expect(patches.securityUpdates?.[0]).toEqual({ target: 'apt-transport-https', name: 'apt-transport-https', candidate: '2.6.2', advisory: null, severity: null })
    expect(patches.autoUpdates?.enabled).toBe(true)
    expect(patches.index).toEqual({ updatedAt: '2025-11-23T15:56:24.000Z', source: securityRelease })
    expect(patches.osSupport).toMatchObject({ distribution: 'debian', cycle: '12', securityEnd: '2026-07-11', extendedEnd: '2028-06-30' })
    // needrestart says KSTA 0 and no linux-image package is installed: unknown, not a pass.
    expect(result.errors['patches.kernel']).toMatch(/no installed linux-image package matches the running kernel 6\.18\.44-fc-v769 and needrestart cannot tell either \(KSTA 0/)
    // The reboot-required file is absent and unattended-upgrades' kernel hook would write it.
    expect(patches.reboot).toEqual({ required: false, signals: ['/var/run/reboot-required (written by unattended-upgrades)'], reasons: [], packages: [] })
  })

  it('the lab VM through the rules', async () => {
    const result = await gather(machine(labDebian()))
    const v = verdicts(result)
    expect(statuses(result)).toEqual({
      'patch.security-updates': 'fail',
      'patch.pending-updates': 'fail',
      'patch.reboot-required': 'pass',
      'patch.kernel-current': 'error',
      'patch.auto-updates': 'pass',
      'patch.index-fresh': 'fail', // a year old on 2026-11-23
      'patch.os-supported': 'pass', // Debian 12 is on free LTS until 2028-06-30
    })
    expect(v['patch.security-updates']![1]).toMatch(/^81 security update\(s\) pending: apt-transport-https 2\.6\.2, apt 2\.6\.2, ca-certificates 20250419~deb12u2, /)
    expect(v['patch.pending-updates']![1]).toBe('136 update(s) pending (81 from a security origin; kept back: (none))')
    expect(v['patch.index-fresh']![1]).toBe(`the package index is 364 days old (${securityRelease}), more than 7: pending and security updates are counted against it`)
    expect(v['patch.kernel-current']![1]).toMatch(/^facts\.patches\.kernel could not be gathered: no installed linux-image package/)
    // Past the end of LTS, the same facts fail, and say so.
    const later = verdicts(result, new Date('2028-07-01T00:00:00Z'))['patch.os-supported']!
    expect(later).toEqual(['fail', 'debian 12: standard security support ended 2026-07-11; LTS ended 2028-06-30 (source: endoflife.date (compiled 2026-08-22))'])
  })

  it('stays read-only: apt list or a simulation, never update/upgrade/install', async () => {
    const host = new ArgvRecorder(machine(labDebian({ commands: { [aptList]: notFound('apt'), [aptSim]: out(fixture('apt-get-s-V-dist-upgrade.local.txt')) } })))
    await gather(host)
    expect(host.commands).toContain(aptSim)
    for (const command of host.commands) {
      expect(command).not.toMatch(/^apt(-get)? .*\b(update|install|remove|purge)\b/)
      if (command.startsWith('apt-get')) expect(command).toMatch(/^apt-get -s .*-o Debug::NoLocking=true/)
    }
  })

  it('falls back to the simulation when `apt` is missing, with kept-back packages of unknown origin', async () => {
    const result = await gather(machine(labDebian({ commands: { [aptList]: notFound('apt'), [aptSim]: out(fixture('apt-get-s-V-dist-upgrade.held.local.txt')) } })))
    const pending = result.facts.patches!.pendingUpdates!
    expect(pending.filter((u) => u.keptBack).map((u) => [u.name, u.installed, u.candidate, u.security])).toEqual([
      ['bash', '5.2.15-2+b8', '5.2.15-2+b13', null],
      ['libssl-dev', '3.0.19-1~deb12u2', '3.0.22-1~deb12u2', null],
      ['libssl3', '3.0.19-1~deb12u2', '3.0.22-1~deb12u2', null],
    ])
    expect(result.errors['patches.securityUpdates']).toBe('cannot tell whether kept-back packages come from a security archive: bash, libssl-dev, libssl3')
    expect(verdicts(result)['patch.pending-updates']![1]).toBe('130 update(s) pending (74 from a security origin; kept back: bash, libssl-dev, libssl3)')
  })

  it('both apt commands missing is an error naming both', async () => {
    const result = await gather(machine(labDebian({ commands: { [aptList]: notFound('apt'), [aptSim]: notFound('apt-get') } })))
    expect(result.errors['patches.pendingUpdates']).toBe('apt: command not found; apt-get: command not found')
    expect(statuses(result)['patch.pending-updates']).toBe('error')
  })

  it('sources without a security archive: "no security updates" would be a lie, so it is an error', async () => {
    const result = await gather(
      machine(labDebian({
        dirs: { [lists]: dir('deb.debian.org_debian_dists_bookworm_InRelease', 'lock') },
        commands: {
          [aptList]: out('Listing...\nbash/oldstable 5.2.15-2+b13 amd64 [upgradable from: 5.2.15-2+b8]\n'),
          [`stat -c %Y %n ${mainRelease}`]: out(`1763913384 ${mainRelease}\n`),
        },
      })),
    )
    expect(result.facts.patches!.pendingUpdates).toHaveLength(1)
    expect(result.errors['patches.securityUpdates']).toMatch(/^no security archive in apt's package index/)
    expect(statuses(result)['patch.security-updates']).toBe('error')
  })

  it('a container whose package index was never downloaded (docker-style image, empty /boot)', async () => {
    const result = await gather(
      machine(labDebian({
        dirs: { [lists]: dir('auxfiles', 'lock', 'partial'), '/etc/kernel/postinst.d': dir() },
        commands: { [aptList]: out('Listing...\n'), [needrestart]: notFound('needrestart'), [detectVirt]: out('docker\n') },
      })),
    )
    expect(result.facts.patches!.index).toEqual({ updatedAt: null, source: lists })
    expect(result.facts.patches!.kernel).toEqual({ running: '6.18.44-fc-v769', container: 'docker', newestInstalled: null, current: null, source: 'container' })
    expect(result.errors['patches.pendingUpdates']).toMatch(/^apt has no package index/)
    expect(result.errors['patches.reboot']).toBe(
      'cannot tell whether a reboot is owed: /var/run/reboot-required is absent, but nothing on this node writes it (no update-notifier, reboot-notifier or unattended-upgrades kernel hook); needrestart is not installed; kernel: docker container',
    )
    const v = verdicts(result)
    expect(v['patch.kernel-current']).toEqual(['na', 'runs in a docker container: the kernel is its host\'s, check the host'])
    expect(v['patch.index-fresh']).toEqual(['fail', `the package index was never downloaded (${lists} holds none): pending and security updates are counted against it`])
    expect(statuses(result)).toMatchObject({ 'patch.pending-updates': 'error', 'patch.security-updates': 'error', 'patch.reboot-required': 'error' })
  })

  it('needrestart reports a pending kernel (KSTA 3): kernel not current, reboot owed', async () => {
    const result = await gather(machine(labDebian({ commands: { [needrestart]: out(fixture('needrestart-b.jc-extralines.txt')) } })))
    expect(result.facts.patches!.kernel).toEqual({ running: '6.18.44-fc-v769', container: '', newestInstalled: '5.10.0-20-amd64', current: false, source: 'needrestart' })
    expect(result.facts.patches!.reboot?.required).toBe(true)
    expect(result.facts.patches!.reboot?.reasons[0]).toBe('needrestart: running kernel 5.10.0-19-amd64, expected 5.10.0-20-amd64 (KSTA 3)')
    expect(statuses(result)).toMatchObject({ 'patch.kernel-current': 'fail', 'patch.reboot-required': 'fail' })
  })

  it('needrestart KSTA 2 (same version, newer ABI build) is not current either; KSTA 1 is', async () => {
    const abi = fixture('needrestart-b.jc-extralines.txt').replace('KSTA: 3', 'KSTA: 2').replace('5.10.0-20-amd64', '5.10.0-19-amd64')
    const result = await gather(machine(labDebian({ commands: { [needrestart]: out(abi) } })))
    expect(result.facts.patches!.kernel).toMatchObject({ newestInstalled: '5.10.0-19-amd64', current: false, source: 'needrestart' })
    expect(result.facts.patches!.reboot?.reasons).toEqual(['needrestart: running kernel 5.10.0-19-amd64, expected 5.10.0-19-amd64 (KSTA 2)'])
    const current = await gather(machine(labDebian({ commands: { [needrestart]: out(fixture('needrestart-b.jc-standard.txt')) } })))
    expect(current.facts.patches!.kernel).toMatchObject({ current: true, source: 'needrestart' })
    expect(current.facts.patches!.reboot).toMatchObject({ required: false, signals: ['/var/run/reboot-required (written by unattended-upgrades)', 'needrestart'] })
  })

  it('permission errors become error findings with the reason', async () => {
    const result = await gather(machine(labDebian({ dirs: { [lists]: denied(lists) }, commands: { 'apt-config dump': { error: 'EACCES', message: 'apt-config: permission denied' } } })))
    expect(result.errors['patches.index']).toBe(`${lists}: permission denied`)
    expect(result.errors['patches.autoUpdates']).toBe('apt-config: permission denied')
    expect(verdicts(result)['patch.index-fresh']).toEqual(['error', `facts.patches.index could not be gathered: ${lists}: permission denied`])
  })
})

describe('gatherPatches on Ubuntu', () => {
  const ubuntu = (): MachineSpec =>
    labDebian({
      files: {
        '/etc/os-release': file(fixture('os-release.ubuntu-18.04.txt')),
        '/proc/sys/kernel/osrelease': file('4.4.0-97-generic\n'),
        '/var/run/reboot-required': file(fixture('reboot-required.ubuntu.txt')),
        '/var/run/reboot-required.pkgs': file(fixture('reboot-required.pkgs.ubuntu-16.04.txt')),
      },
      dirs: { '/etc/kernel/postinst.d': dir('update-notifier') },
      commands: {
        [aptList]: out(fixture('apt-list-upgradable.ubuntu-jammy.txt')),
        [needrestart]: notFound('needrestart'),
        [kernelPkgs]: out('linux-image-4.4.0-97-generic 4.4.0-97.120 ii \nlinux-image-4.4.0-98-generic 4.4.0-98.121 ii \n'),
      },
    })

  it('reboot-required with its packages, a newer kernel, the security pocket', async () => {
    const result = await gather(machine(ubuntu()))
    const patches = result.facts.patches!
    expect(patches.securityUpdates?.map((u) => u.name)).toEqual(['libssl3'])
    expect(patches.reboot).toEqual({
      required: true,
      signals: ['/var/run/reboot-required', 'kernel (dpkg)'],
      reasons: ['/var/run/reboot-required exists (requested by linux-image-4.4.0-98-generic, linux-base)', 'running kernel 4.4.0-97-generic, newest installed 4.4.0-98-generic'],
      packages: ['linux-image-4.4.0-98-generic', 'linux-base'],
    })
    expect(patches.kernel).toMatchObject({ newestInstalled: '4.4.0-98-generic', current: false, source: 'dpkg' })
  })

  it('18.04 past standard support with only paid ESM left fails and says so', async () => {
    const v = verdicts(await gather(machine(ubuntu())))
    expect(v['patch.os-supported']).toEqual([
      'fail',
      'ubuntu 18.04: standard security support ended 2023-05-31; only ESM (Ubuntu Pro) remains, until 2028-04-01 (a paid subscription: if this node has it, set extendedSupportSubscribed) (source: endoflife.date (compiled 2026-08-22))',
    ])
    expect(v['patch.security-updates']).toEqual(['fail', '1 security update(s) pending: libssl3 3.0.2-0ubuntu1.18'])
    expect(v['patch.reboot-required']![0]).toBe('fail')
  })
})

const dnfCheck = 'dnf -C -q check-update'
const dnfSecurity = 'dnf -C -q updateinfo list --security'
const timers = 'systemctl show -p Id -p LoadState -p UnitFileState dnf-automatic.timer dnf-automatic-install.timer dnf5-automatic.timer'
const repomd = '/var/cache/dnf/baseos-a1b2c3d4e5f6a7b8/repodata/repomd.xml'

function rocky(overrides: MachineSpec = {}): MachineSpec {
  return {
    files: {
      '/etc/os-release': file(fixture('os-release.rocky-9.6.txt')),
      '/proc/sys/kernel/osrelease': file('3.10.0-1062.12.1.el7.x86_64\n'),
      '/etc/dnf/automatic.conf': file('[commands]\nupgrade_type = default\napply_updates = no\n'),
      ...overrides.files,
    },
    dirs: { '/var/cache/dnf': dir('baseos-a1b2c3d4e5f6a7b8', 'baseos.solv', 'expired_repos.json'), '/var/cache/libdnf5': noFile('/var/cache/libdnf5'), ...overrides.dirs },
    commands: {
      [dnfCheck]: out(fixture('dnf-check-update.ci-dnf-stack.txt'), 100),
      [dnfSecurity]: out(fixture('dnf4-updateinfo-list-security.rhel9.txt')),
      'needs-restarting -r': out(fixture('needs-restarting-r.required.ci-dnf-stack.txt'), 1),
      'rpm -q --last kernel': out(fixture('rpm-q-last-kernel.vuls.txt')),
      [timers]: out('Id=dnf-automatic.timer\nLoadState=loaded\nUnitFileState=disabled\n\nId=dnf-automatic-install.timer\nLoadState=loaded\nUnitFileState=enabled\n\nId=dnf5-automatic.timer\nLoadState=not-found\nUnitFileState=\n'),
      [detectVirt]: out('none\n', 1),
      [`stat -c %Y %n ${repomd}`]: out(`1763856000 ${repomd}\n`),
      ...overrides.commands,
    },
  }
}

describe('gatherPatches on the RHEL family', () => {
  it('Rocky 9.6 with dnf4: updates, advisories, reboot, kernel, dnf-automatic', async () => {
    const result = await gather(machine(rocky()))
    const patches = result.facts.patches!
    expect(patches.manager).toBe('dnf')
    expect(patches.pendingUpdates?.map((u) => u.target)).toEqual(['glibc.x86_64', 'glibc-common.x86_64', 'glibc-all-langpacks.x86_64'])
    expect(patches.securityUpdates).toHaveLength(9)
    expect(patches.securityUpdates?.[5]).toEqual({
      target: 'RHSA-2023:0334 kernel-5.14.0-162.12.1.el9_1.x86_64', name: 'kernel', candidate: 'kernel-5.14.0-162.12.1.el9_1.x86_64', advisory: 'RHSA-2023:0334', severity: 'Important',
    })
    expect(patches.kernel).toEqual({ running: '3.10.0-1062.12.1.el7.x86_64', container: '', newestInstalled: '3.10.0-1160.24.1.el7.x86_64', current: false, source: 'rpm' })
    expect(patches.reboot).toMatchObject({ required: true, signals: ['needs-restarting -r', 'kernel (rpm)'], packages: ['glibc', 'kernel'] })
    expect(patches.autoUpdates).toMatchObject({ enabled: true, tool: 'dnf-automatic' })
    expect(patches.index).toEqual({ updatedAt: '2025-11-23T00:00:00.000Z', source: repomd })
    expect(patches.osSupport).toMatchObject({ distribution: 'rocky', cycle: '9', securityEnd: '2032-05-31' })
    const v = verdicts(result)
    expect(v['patch.security-updates']![1]).toMatch(/^9 security update\(s\) pending: RHSA-2023:0340 \(Moderate\) bash-5\.1\.8-6\.el9_1\.x86_64, /)
    expect(v['patch.kernel-current']).toEqual([
      'fail',
      'running kernel 3.10.0-1062.12.1.el7.x86_64, but 3.10.0-1160.24.1.el7.x86_64 is installed (rpm): the kernel fixes are not in effect until a reboot',
    ])
    expect(statuses(result)).toMatchObject({ 'patch.auto-updates': 'pass', 'patch.os-supported': 'pass', 'patch.reboot-required': 'fail' })
  })

  it('dnf5: the advisory table, the dnf plugin when needs-restarting is missing, nothing pending', async () => {
    const result = await gather(
      machine(rocky({
        files: { '/proc/sys/kernel/osrelease': file('3.10.0-1160.24.1.el7.x86_64\n') },
        commands: {
          [dnfCheck]: out('', 0),
          [dnfSecurity]: out('', 2, 'Unknown argument "updateinfo" for command "dnf5".\n'),
          'dnf -C -q advisory list --security': out(fixture('dnf5-advisory-list-all-security.ci-dnf-stack.txt')),
          'needs-restarting -r': notFound('needs-restarting'),
          'dnf -C -q needs-restarting -r': out(fixture('needs-restarting-r.not-required.ci-dnf-stack.txt')),
        },
      })),
    )
    const patches = result.facts.patches!
    expect(patches.pendingUpdates).toEqual([])
    expect(patches.securityUpdates?.map((u) => u.advisory)).toEqual(['FEDORA-2018-318f184113'])
    expect(patches.reboot).toEqual({ required: false, signals: ['needs-restarting -r', 'kernel (rpm)'], reasons: [], packages: [] })
    expect(patches.kernel?.current).toBe(true)
  })

  it('never refreshes: every dnf command is cache-only', async () => {
    const host = new ArgvRecorder(machine(rocky()))
    await gather(host)
    const dnf = host.commands.filter((c) => c.startsWith('dnf '))
    expect(dnf.length).toBeGreaterThan(0)
    for (const command of dnf) expect(command).toMatch(/^dnf -C /)
    for (const command of host.commands.filter((c) => /^(dnf|rpm|needs-restarting) /.test(c))) {
      for (const verb of ['makecache', 'upgrade', 'install', 'update', 'distro-sync', 'remove']) expect(command.split(' ')).not.toContain(verb)
    }
  })

  it('dnf errors (exit 1, no cache) and a container without systemd are errors and na, never passes', async () => {
    const result = await gather(
      machine(rocky({
        commands: {
          [dnfCheck]: out('', 1, "Error: Cache-only enabled but no cache for 'baseos'\n"),
          [dnfSecurity]: out('', 1, "Error: Cache-only enabled but no cache for 'baseos'\n"),
          'dnf -C -q advisory list --security': out('', 1, "Error: Cache-only enabled but no cache for 'baseos'\n"),
          'needs-restarting -r': notFound('needs-restarting'),
          'dnf -C -q needs-restarting -r': out('', 1, "Error: Cache-only enabled but no cache for 'baseos'\n"),
          'rpm -q --last kernel': out('package kernel is not installed\n', 1),
          [timers]: out('', 1, 'System has not been booted with systemd as init system (PID 1). Can\'t operate.\n'),
          [detectVirt]: out('podman\n'),
        },
      })),
    )
    expect(result.errors['patches.pendingUpdates']).toBe("dnf -C -q check-update exited 1: Error: Cache-only enabled but no cache for 'baseos'")
    expect(result.errors['patches.autoUpdates']).toMatch(/^systemctl show .* exited 1: System has not been booted with systemd/)
    expect(result.errors['patches.reboot']).toMatch(/^cannot tell whether a reboot is owed: needs-restarting: command not found; dnf -C -q needs-restarting -r exited 1: .*; kernel: podman container$/)
    expect(statuses(result)).toMatchObject({
      'patch.pending-updates': 'error', 'patch.security-updates': 'error', 'patch.reboot-required': 'error', 'patch.kernel-current': 'na', 'patch.auto-updates': 'error',
    })
  })
})

describe('gatherPatches on Alpine', () => {
  const alpine = (overrides: MachineSpec = {}): MachineSpec => ({
    files: {
      '/etc/os-release': file(fixture('os-release.alpine-3.21.txt')),
      '/proc/sys/kernel/osrelease': file('6.6.58-0-lts\n'),
      '/etc/crontabs/root': file('*/15 * * * * run-parts /etc/periodic/15min\n0 2 * * * run-parts /etc/periodic/daily\n'),
      '/.dockerenv': noFile('/.dockerenv'),
      '/run/.containerenv': noFile('/run/.containerenv'),
      '/run/systemd/container': noFile('/run/systemd/container'),
      ...overrides.files,
    },
    dirs: {
      '/lib/modules': dir('6.6.62-0-lts'),
      '/var/cache/apk': dir('APKINDEX.5022a8a2.tar.gz', 'APKINDEX.70f61090.tar.gz'),
      '/etc/periodic': dir('daily', 'hourly'),
      '/etc/periodic/daily': dir(),
      '/etc/periodic/hourly': dir(),
      ...overrides.dirs,
    },
    commands: {
      'apk list --upgradable': out(fixture('apk-list-upgradable.vuls.txt')),
      [detectVirt]: notFound('systemd-detect-virt'),
      'stat -c %Y %n /var/cache/apk/APKINDEX.5022a8a2.tar.gz /var/cache/apk/APKINDEX.70f61090.tar.gz': out('1763856000 /var/cache/apk/APKINDEX.5022a8a2.tar.gz\n1763769600 /var/cache/apk/APKINDEX.70f61090.tar.gz\n'),
      ...overrides.commands,
    },
  })

  it('pending updates, security unknown (said so), kernel superseded, no auto-updates', async () => {
    const result = await gather(machine(alpine()))
    const patches = result.facts.patches!
    expect(patches.manager).toBe('apk')
    expect(patches.pendingUpdates?.map((u) => [u.name, u.candidate, u.security])).toContainEqual(['libssl3', '3.3.2-r0', null])
    expect(result.errors['patches.securityUpdates']).toBe(
      "apk metadata has no security flag: whether the 6 pending update(s) fix vulnerabilities needs Alpine's secdb, which this offline check does not fetch",
    )
    expect(patches.kernel).toEqual({ running: '6.6.58-0-lts', container: '', newestInstalled: '6.6.62-0-lts', current: false, source: '/lib/modules' })
    expect(patches.reboot?.required).toBe(true)
    expect(patches.autoUpdates?.enabled).toBe(false)
    expect(patches.index?.updatedAt).toBe('2025-11-23T00:00:00.000Z')
    expect(statuses(result)).toEqual({
      'patch.security-updates': 'error',
      'patch.pending-updates': 'fail',
      'patch.reboot-required': 'fail',
      'patch.kernel-current': 'fail',
      'patch.auto-updates': 'fail',
      'patch.index-fresh': 'fail',
      'patch.os-supported': 'fail', // Alpine 3.21 ended 2026-11-01
    })
  })

  it('older apk: `apk version -l <`; a docker container found by /.dockerenv; a cron job upgrading', async () => {
    const result = await gather(
      machine(alpine({
        files: { '/.dockerenv': file(''), '/etc/periodic/daily/apk-upgrade': file('#!/bin/sh\napk -U upgrade --no-interactive\n') },
        dirs: { '/lib/modules': noFile('/lib/modules'), '/etc/periodic/daily': dir('apk-upgrade') },
        commands: {
          'apk list --upgradable': out('', 1, "apk: unrecognized option 'upgradable'\n"),
          "apk version -l <": out(fixture('apk-version.vuls.txt')),
        },
      })),
    )
    const patches = result.facts.patches!
    expect(patches.pendingUpdates?.map((u) => u.name)).toEqual(['libcrypto1.0', 'libssl1.0', 'nrpe'])
    expect(patches.kernel?.container).toBe('docker')
    expect(patches.autoUpdates).toEqual({ enabled: true, tool: 'cron', details: ['/etc/periodic/daily/apk-upgrade: apk -U upgrade --no-interactive'] })
    expect(result.errors['patches.reboot']).toMatch(/docker container's kernel is its host's/)
    expect(statuses(result)).toMatchObject({ 'patch.kernel-current': 'na', 'patch.auto-updates': 'pass' })
  })
})

describe('gatherPatches on Alpine without an index', () => {
  it('an empty upgradable list from a never-updated apk is an error, not a pass', async () => {
    const result = await gather(
      machine({
        files: { '/etc/os-release': file(fixture('os-release.alpine-3.21.txt')), '/proc/sys/kernel/osrelease': file('6.6.58-0-lts\n'), '/.dockerenv': file(''), '/etc/crontabs/root': noFile('/etc/crontabs/root') },
        dirs: { '/var/cache/apk': dir(), '/etc/periodic': noFile('/etc/periodic') },
        commands: { 'apk list --upgradable': out(''), [detectVirt]: notFound('systemd-detect-virt') },
      }),
    )
    expect(result.errors['patches.pendingUpdates']).toBe('apk has no package index (/var/cache/apk holds no APKINDEX): pending updates are unknown until `apk update` runs')
    expect(result.facts.patches!.index).toEqual({ updatedAt: null, source: '/var/cache/apk' })
    expect(statuses(result)).toMatchObject({ 'patch.pending-updates': 'error', 'patch.security-updates': 'error', 'patch.index-fresh': 'fail' })
  })
})

describe('gatherPatches elsewhere', () => {
  it('an unknown distribution: every fact an error with the reason, never a silent pass', async () => {
    const gentoo = 'NAME=Gentoo\nID=gentoo\nPRETTY_NAME="Gentoo Linux"\n'
    const result = await gather(machine({ files: { '/etc/os-release': file(gentoo) } }))
    expect(result.facts.patches).toEqual({})
    expect(result.errors['patches.pendingUpdates']).toBe('unsupported distribution Gentoo Linux (ID=gentoo): Posture reads apt, dnf and apk')
    expect(result.errors['patches.osSupport']).toMatch(/^no end-of-life data for Gentoo Linux \(ID=gentoo\)/)
    expect(new Set(Object.values(statuses(result)))).toEqual(new Set(['error']))
  })

  it('unreadable os-release', async () => {
    const result = await gather(machine({ files: { '/etc/os-release': denied('/etc/os-release'), '/usr/lib/os-release': noFile('/usr/lib/os-release') } }))
    expect(result.errors['patches.reboot']).toBe('cannot identify the distribution: /etc/os-release: permission denied; /usr/lib/os-release: no such file or directory')
    expect(result.errors['patches.osSupport']).toBe('/etc/os-release: permission denied; /usr/lib/os-release: no such file or directory')
  })

  it('an ID_LIKE derivative uses its parent’s package manager', async () => {
    const result = await gather(machine(labDebian({ files: { '/etc/os-release': file('ID=linuxmint\nID_LIKE="ubuntu debian"\nNAME="Linux Mint"\nVERSION_ID="21.3"\n') } })))
    expect(result.facts.patches!.manager).toBe('apt')
    expect(result.errors['patches.osSupport']).toMatch(/no end-of-life data for Linux Mint/)
  })
})
