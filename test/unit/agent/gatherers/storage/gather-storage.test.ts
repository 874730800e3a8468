import { describe, expect, it } from 'vitest'
import { storageGatherer } from '../../../../../agent/gatherers/storage/gather-storage.js'
import type { Host } from '../../../../../agent/host/host.js'
import { defaultScanConfig } from '../../../../../agent/scan-config.js'
import { evaluateRules } from '../../../../../rules/evaluate.js'
import type { Finding } from '../../../../../rules/finding.js'
import { bareMachine, fixture, fixtureJson, loadStorageRules, notFound, ran, snapshotHost } from './storage-snapshot.js'

const now = new Date('2026-01-01T00:00:00Z')
const storageRules = loadStorageRules()

async function gather(host: Host) {
  return storageGatherer.gather({ host, now, config: defaultScanConfig })
}

async function findings(host: Host): Promise<Finding[]> {
  const { facts, errors } = await gather(host)
  return evaluateRules(storageRules, { facts, factErrors: errors, now })
}

/** rule → target → status, the shape every assertion below reads. */
function statuses(list: readonly Finding[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {}
  for (const f of list) (out[f.rule] ??= {})[f.target] = f.status
  return out
}

function message(list: readonly Finding[], rule: string, target = ''): string {
  const found = list.find((f) => f.rule === rule && f.target === target)
  if (!found) throw new Error(`no ${rule} finding for "${target}"`)
  return found.message
}

/** The sysfs attributes of one array from the procfs sysfs fixture. */
function sysfsFiles(name: string): Record<string, { content: string }> {
  const files: Record<string, { content: string }> = {}
  for (const line of fixture('sys-block-md-files.procfs.txt').split('\n')) {
    const match = /^(\/sys\/block\/(md\d+)\/md\/[\w_]+) = (.*)$/.exec(line)
    if (match && match[2] === name) files[match[1]!] = { content: `${match[3]}\n` }
  }
  return files
}

/** The pystorcli2 `/c0 show J` capture with a degraded VD and a bad drive (states edited for the test). */
function degradedController(): unknown {
  const json = structuredClone(fixtureJson('storcli.c0-show.ugood.json')) as {
    Controllers: { 'Response Data': { 'VD LIST': { State: string }[]; 'PD LIST': { State: string }[] } }[]
  }
  const data = json.Controllers[0]!['Response Data']
  data['VD LIST'][0]!.State = 'Dgrd'
  data['PD LIST'][0]!.State = 'UBad'
  data['PD LIST'][1]!.State = 'Offln'
  return json
}

/** A scan-open report in the shape smartctl 7.x writes (smartctl.cpp, scan_devices). */
const scanOpen = JSON.stringify({
  smartctl: { version: [7, 3], argv: ['smartctl', '--scan-open', '--json'], exit_status: 0 },
  devices: [
    { name: '/dev/sda', info_name: '/dev/sda [SAT]', type: 'sat', protocol: 'ATA' },
    { name: '/dev/sdc', info_name: '/dev/sdc [SAT]', type: 'sat', protocol: 'ATA' },
    { name: '/dev/nvme0', info_name: '/dev/nvme0', type: 'nvme', protocol: 'NVMe' },
    { name: '/dev/sdd', info_name: '/dev/sdd', type: 'scsi', protocol: 'SCSI', open_error: "DELL or MegaRaid controller, please try adding '-d megaraid,N'" },
    { name: '/dev/bus/0', info_name: '/dev/bus/0 [megaraid_disk_00]', type: 'megaraid,0', protocol: 'SCSI' },
    { name: '/dev/sde', info_name: '/dev/sde', type: 'sat', protocol: 'ATA', open_error: 'Permission denied' },
  ],
})

/** A node with every storage technology, most of them in trouble. */
function troubledNode(): Host {
  const m = bareMachine()
  return snapshotHost({
    files: {
      ...m.files,
      '/proc/mdstat': { content: fixture('proc-mdstat.procfs.txt') },
      ...sysfsFiles('md6'),
      '/proc/mounts': { content: '/dev/vda / ext4 rw 0 0\n/dev/loop0 /srv btrfs rw,subvol=/ 0 0\n/dev/loop0 /srv/sub btrfs rw,subvol=/sub 0 0\n' },
    },
    dirs: { ...m.dirs, '/proc/spl': { entries: ['kmem', 'kstat', 'taskq'] } },
    commands: {
      ...m.commands,
      'mdadm --detail /dev/md6': ran(fixture('mdadm-detail.raid1-faulty-with-spare.txt')),
      'zpool list -H -p -o name,health,size,allocated,free,capacity': ran(fixture('zpool-list.synthetic.txt')),
      'zpool status': ran(fixture('zpool-status.spare-avail.txt') + fixture('zpool-status.degraded-spare-inuse.gentoo.txt')),
      'btrfs device stats --check /srv': ran(fixture('btrfs-device-stats.corruption.txt'), 64),
      'btrfs filesystem show /srv': ran(fixture('btrfs-filesystem-show.txt')),
      'smartctl --scan-open --json': ran(scanOpen),
      'smartctl --json -a -d sat /dev/sda': ran(fixture('smartctl.smart-ata.json')),
      'smartctl --json -a -d sat /dev/sdc': ran(fixture('smartctl.smart-fail2.json'), 216),
      'smartctl --json -a -d nvme /dev/nvme0': ran(fixture('smartctl.smart-nvme-failed.json')),
      'smartctl --json -a -d megaraid,0 /dev/bus/0': ran(fixture('smartctl.smart-megaraid0.json'), 4),
      'storcli64 show J': ran(fixture('storcli.show.one-controller.json')),
      'storcli64 /call show all J': ran(JSON.stringify(degradedController())),
    },
  })
}

describe('storage gatherer and rules on a troubled node', () => {
  it('gives every array, pool, filesystem, disk and controller its own verdict', async () => {
    const result = statuses(await findings(troubledNode()))
    expect(result['storage.md.healthy']).toEqual({
      '/dev/md3': 'pass', '/dev/md127': 'pass', '/dev/md0': 'pass', '/dev/md4': 'fail', '/dev/md6': 'fail', '/dev/md8': 'pass',
      '/dev/md201': 'pass', '/dev/md7': 'fail', '/dev/md9': 'fail', '/dev/md10': 'pass', '/dev/md11': 'fail', '/dev/md12': 'pass',
      '/dev/md126': 'pass', '/dev/md00': 'pass', '/dev/md120': 'pass', '/dev/md101': 'pass', '/dev/md42': 'fail',
    })
    expect(Object.entries(result['storage.md.rebuilding']!).filter(([, s]) => s === 'fail').map(([t]) => t)).toEqual([
      '/dev/md6', '/dev/md8', '/dev/md9', '/dev/md11', '/dev/md42',
    ])
    expect(result['storage.zfs.healthy']).toEqual({ tank: 'pass', zpool_test: 'fail' })
    expect(result['storage.zfs.scrub-recent']).toEqual({ tank: 'fail', zpool_test: 'fail' })
    expect(result['storage.btrfs.errors']).toEqual({ '/srv': 'fail' })
    expect(result['storage.smart.healthy']).toEqual({ '/dev/sda': 'pass', '/dev/sdc': 'fail', '/dev/nvme0': 'pass', '/dev/bus/0 megaraid,0': 'pass', '/dev/sde': 'error' })
    expect(result['storage.smart.sectors']).toEqual({ '/dev/sda': 'pass', '/dev/sdc': 'fail', '/dev/nvme0': 'fail', '/dev/bus/0 megaraid,0': 'pass', '/dev/sde': 'error' })
    expect(result['storage.nvme.wear']).toEqual({ '/dev/sda': 'na', '/dev/sdc': 'na', '/dev/nvme0': 'pass', '/dev/bus/0 megaraid,0': 'na', '/dev/sde': 'error' })
    expect(result['storage.hwraid.healthy']).toEqual({ '/c0': 'fail' })
    expect(result['storage.fs.space']).toEqual({ '/': 'pass', '/srv/posture-test/full': 'fail', '/srv/posture-test/inodes': 'pass' })
    expect(result['storage.fs.inodes']).toEqual({ '/': 'pass', '/srv/posture-test/full': 'pass', '/srv/posture-test/inodes': 'fail' })
  })

  it('failures carry the evidence an operator acts on', async () => {
    const list = await findings(troubledNode())
    expect(message(list, 'storage.md.healthy', '/dev/md6')).toBe('md6 (raid1) is active [U_]: 1 device(s) missing, faulty: sdb2; members: sdb2 faulty, sdc spare, sda2 active')
    expect(message(list, 'storage.md.healthy', '/dev/md4')).toBe('md4 (raid1) is inactive [UU]: 0 device(s) missing, faulty: sda3; members: sda3 faulty, sdb3 spare')
    expect(message(list, 'storage.md.rebuilding', '/dev/md6')).toBe('md6: recovery 8.5% done (16775552/195310144 blocks), about 17 min to go at 259783 KiB/s')
    expect(message(list, 'storage.md.rebuilding', '/dev/md9')).toBe('md9: resync waiting (delayed)')
    expect(message(list, 'storage.zfs.healthy', 'zpool_test')).toBe(
      'pool zpool_test is DEGRADED; devices: zpool_test DEGRADED (read 0, write 0, cksum 0), mirror-0 DEGRADED (read 0, write 0, cksum 0), ' +
        'spare-0 DEGRADED (read 0, write 0, cksum 0), /dev/sdg1 UNAVAIL (read 3, write 83, cksum 0); errors: null. ' +
        'ZFS says: One or more devices could not be used because the label is missing or invalid. Sufficient replicas exist for the pool to continue functioning in a degraded state.',
    )
    expect(message(list, 'storage.zfs.scrub-recent', 'zpool_test')).toBe(
      'pool zpool_test: no completed scrub on record; zpool status: resilvered 40.7M in 00:00:01 with 0 errors on Sat May 6 11:39:28 2023',
    )
    expect(message(list, 'storage.btrfs.errors', '/srv')).toBe('/srv: device errors: /dev/loop1 write 0, read 0, flush 0, corruption 4, generation 0')
    expect(message(list, 'storage.smart.healthy', '/dev/sdc')).toBe(
      '/dev/sdc Hitachi HDS721050DLE630 (serial MSK423Y20S3HBC): SMART overall-health FAILED, smartctl reports DISK FAILING; ' +
        'attributes at threshold: Reallocated_Sector_Ct (5) value 1 <= thresh 5 now, raw 1975',
    )
    expect(message(list, 'storage.smart.sectors', '/dev/nvme0')).toBe('/dev/nvme0 Samsung SSD 970 EVO 500GB (serial S466NX0M776250H): media_errors = 7')
    expect(message(list, 'storage.smart.healthy', '/dev/sde')).toBe('smartctl cannot open /dev/sde: Permission denied (smartctl needs root to open disks)')
    expect(message(list, 'storage.hwraid.healthy', '/c0')).toBe(
      '/c0 Intel(R) RAID Controller RS3DC080 (serial SK75074929): controller status not reported; virtual drives not optimal: 2/1 RAID0 Dgrd; ' +
        'physical drives: slot 35:12 UBad HUS726040AL5210 3.637 TB, slot 35:13 Offln HUS726040AL5210 3.637 TB; cache protection: (none)',
    )
    expect(message(list, 'storage.fs.space', '/srv/posture-test/full')).toBe('/srv/posture-test/full (tmpfs on tmpfs) is 93.75% full: 0.06 MiB free of 1 MiB')
    expect(message(list, 'storage.fs.inodes', '/srv/posture-test/inodes')).toBe('/srv/posture-test/inodes (tmpfs on tmpfs) has used 100% of its inodes: 0 of 16 free')
  })

  it('keeps the RAID logical volume and mdadm detail as evidence', async () => {
    const { facts } = await gather(troubledNode())
    expect(facts.storage?.smart?.raidVolumes.map((v) => v.device)).toEqual(['/dev/sdd'])
    const md6 = facts.storage?.md?.arrays.find((a) => a.name === 'md6')
    expect(md6?.detail?.state).toEqual(['clean', 'degraded', 'recovering'])
    expect(md6?.sysfs).toEqual({ arrayState: 'active', degraded: 1, syncAction: 'recover', syncCompleted: '1569888 / 2093056', mismatchCount: null })
    expect(facts.storage?.btrfs?.filesystems[0]).toMatchObject({ mountPoints: ['/srv', '/srv/sub'], checkExitCode: 64, missingDevices: false })
    expect(facts.storage?.hwraid?.tool).toBe('storcli64')
  })
})

describe('absence is na, a tool that cannot answer is an error', () => {
  it('a bare virtual machine: md, ZFS, btrfs and hardware RAID are na with their reason; SMART without smartctl is an error', async () => {
    const list = await findings(snapshotHost(bareMachine()))
    const result = statuses(list)
    for (const rule of ['storage.md.healthy', 'storage.md.rebuilding', 'storage.zfs.healthy', 'storage.zfs.scrub-recent', 'storage.btrfs.errors', 'storage.hwraid.healthy']) {
      expect(result[rule], rule).toEqual({ '': 'na' })
    }
    expect(message(list, 'storage.md.healthy')).toBe('No software RAID array to check: no /proc/mdstat: the md (Linux software RAID) driver is not loaded (na without the md driver or without arrays; an unreadable /proc/mdstat is an error)')
    expect(message(list, 'storage.zfs.healthy')).toBe('No ZFS pool to check: ZFS is not in use: no zpool command and no ZFS kernel module (/proc/spl) (na without zpool and /proc/spl, or without the kernel module; a zpool that fails is an error)')
    expect(message(list, 'storage.btrfs.errors')).toBe('No btrfs filesystem to check: no btrfs filesystem is mounted (a mounted btrfs whose counters cannot be read is an error)')
    expect(message(list, 'storage.hwraid.healthy')).toBe(
      'No hardware RAID controller to check: no hardware RAID: neither storcli nor perccli is installed, and no controller is bound to the megaraid_sas driver' +
        ' (a controller without storcli/perccli, or a storcli command that failed, is an error)',
    )
    for (const rule of ['storage.smart.healthy', 'storage.smart.sectors', 'storage.nvme.wear']) expect(result[rule], rule).toEqual({ '': 'error' })
    expect(message(list, 'storage.smart.healthy')).toBe(
      'facts.storage.smart could not be gathered: smartctl is not installed (package smartmontools); systeminformation lists no physical disk either, so disk health is unknown',
    )
    expect(result['storage.fs.space']!['/']).toBe('pass')
  })

  it('without smartctl, a local host names its disks through systeminformation, each an error', async () => {
    const m = bareMachine()
    const layout = [{ device: '/dev/sda', type: 'HD', name: 'ST4000NM0035-1V4', vendor: 'Seagate', size: 4000787030016, serialNum: 'ZC18ABCD', interfaceType: 'SATA', smartStatus: 'unknown', temperature: null }]
    const host = snapshotHost({ ...m, probes: { 'systeminformation diskLayout': { result: layout } } }, 'local')
    const list = await findings(host)
    expect(statuses(list)['storage.smart.healthy']).toEqual({ '/dev/sda': 'error' })
    expect(message(list, 'storage.smart.healthy', '/dev/sda')).toBe(
      'smartctl is not installed (package smartmontools); systeminformation sees Seagate ST4000NM0035-1V4 (serial ZC18ABCD) but cannot read its SMART health',
    )
  })

  it('over SSH, systeminformation is never asked (it would read the collector)', async () => {
    const { errors } = await gather(snapshotHost(bareMachine(), 'ssh:root@node-7'))
    expect(errors['storage.smart']).toBe('smartctl is not installed (package smartmontools)')
  })

  it('smartctl installed on a VM finding no SMART disk: na', async () => {
    const m = bareMachine()
    m.commands['smartctl --scan-open --json'] = ran(fixture('smartctl-scan-open.no-devices.json'))
    const list = await findings(snapshotHost(m))
    expect(statuses(list)['storage.smart.healthy']).toEqual({ '': 'na' })
    expect(message(list, 'storage.smart.healthy')).toBe('No disk with SMART data to check: smartctl --scan-open found no SMART-capable disk (virtual disks report no SMART data) (smartctl missing or not permitted is an error, never na)')
  })

  it('/proc/mdstat present but empty: na; unreadable: error', async () => {
    const m = bareMachine()
    m.files['/proc/mdstat'] = { content: 'Personalities : [raid1]\nunused devices: <none>\n' }
    expect((await gather(snapshotHost(m))).facts.storage?.md?.absence).toBe('the md driver is loaded but no arrays are assembled (/proc/mdstat lists none)')
    m.files['/proc/mdstat'] = { error: 'EACCES', message: '/proc/mdstat: permission denied' }
    expect((await gather(snapshotHost(m))).errors['storage.md']).toBe('/proc/mdstat: permission denied')
  })

  it('ZFS: module without zpool is an error; zpool without module is na; a failing zpool is an error; no pool is na', async () => {
    const listKey = 'zpool list -H -p -o name,health,size,allocated,free,capacity'
    const m = bareMachine()
    m.dirs['/proc/spl'] = { entries: ['kstat'] }
    expect((await gather(snapshotHost(m))).errors['storage.zfs']).toBe(
      'the ZFS kernel module is loaded (/proc/spl exists) but the zpool command is not installed (zfsutils-linux / zfs package)',
    )

    const noModule = bareMachine()
    noModule.commands[listKey] = ran('', 1, "The ZFS modules are not loaded.\nTry running '/sbin/modprobe zfs' as root to load them.\n")
    expect((await gather(snapshotHost(noModule))).facts.storage?.zfs?.absence).toBe('zpool is installed but the ZFS kernel module is not loaded, so no pool is imported')

    const failing = bareMachine()
    failing.dirs['/proc/spl'] = { entries: ['kstat'] }
    failing.commands[listKey] = ran('', 1, 'internal error: Bad file descriptor\n')
    expect((await gather(snapshotHost(failing))).errors['storage.zfs']).toBe(`${listKey} exited 1: internal error: Bad file descriptor`)

    const empty = bareMachine()
    empty.dirs['/proc/spl'] = { entries: ['kstat'] }
    empty.commands[listKey] = ran('', 0, 'no pools available\n')
    expect((await gather(snapshotHost(empty))).facts.storage?.zfs).toEqual({ absence: 'no ZFS pool is imported (zpool list shows none)', pools: [] })
  })

  it('btrfs mounted without btrfs-progs: an error for that filesystem', async () => {
    const m = bareMachine()
    m.files['/proc/mounts'] = { content: '/dev/sdb1 /data btrfs rw 0 0\n' }
    m.commands['btrfs device stats --check /data'] = notFound('btrfs')
    m.commands['btrfs filesystem show /data'] = notFound('btrfs')
    const list = await findings(snapshotHost(m))
    expect(statuses(list)['storage.btrfs.errors']).toEqual({ '/data': 'error' })
    expect(message(list, 'storage.btrfs.errors', '/data')).toBe(
      'btrfs is mounted at /data but the btrfs command (btrfs-progs) is not installed: its device error counters cannot be read',
    )
  })

  it('hardware RAID: a controller without storcli is an error; no controller and IT-mode HBAs are na', async () => {
    const bound = bareMachine()
    bound.dirs['/sys/bus/pci/drivers/megaraid_sas'] = { entries: ['0000:3b:00.0', 'bind', 'module', 'new_id', 'uevent', 'unbind'] }
    expect((await gather(snapshotHost(bound))).errors['storage.hwraid']).toBe(
      'a MegaRAID/PERC controller is present (megaraid_sas driver bound to 0000:3b:00.0) but neither storcli nor perccli is installed, so its arrays cannot be checked',
    )

    const none = bareMachine()
    none.commands['storcli64 show J'] = ran(fixture('storcli.show.no-controller.json'))
    expect((await gather(snapshotHost(none))).facts.storage?.hwraid).toEqual({ absence: 'storcli64 finds no controller', tool: 'storcli64', controllers: [] })

    const hba = bareMachine()
    hba.commands['perccli64 show J'] = ran(fixture('storcli.show.it-hba.json'))
    expect((await gather(snapshotHost(hba))).facts.storage?.hwraid?.absence).toBe('perccli64 finds only HBAs in IT mode (1), which hold no RAID volumes')
  })

  it('hardware RAID: a storcli command that itself failed is an error, never healthy', async () => {
    const overview = bareMachine()
    overview.commands['storcli64 show J'] = ran(fixture('storcli.show.failure-foreign-config.json'))
    expect((await gather(snapshotHost(overview))).errors['storage.hwraid']).toBe('storcli64 show J: Status Failure: Incomplete foreign configuration')

    const perController = bareMachine()
    perController.commands['storcli64 show J'] = ran(fixture('storcli.show.one-controller.json'))
    perController.commands['storcli64 /call show all J'] = ran(fixture('storcli.c0-show.failure-foreign-config.json'))
    const list = await findings(snapshotHost(perController))
    expect(statuses(list)['storage.hwraid.healthy']).toEqual({ '/c0': 'error' })
    expect(message(list, 'storage.hwraid.healthy', '/c0')).toBe('storcli command failed for controller 0: Status Failure: Incomplete foreign configuration')

    const garbage = bareMachine()
    garbage.commands['storcli64 show J'] = ran('', 1, 'storcli64: error while loading shared libraries: libstorelibir-3.so\n')
    expect((await gather(snapshotHost(garbage))).errors['storage.hwraid']).toBe(
      'storcli64 show J exited 1 without its JSON report: storcli64: error while loading shared libraries: libstorelibir-3.so',
    )
  })

  it('filesystems: BusyBox df without -l is retried; a df that fails is an error', async () => {
    const busybox = bareMachine()
    busybox.commands['df -P -T -B1 -l'] = ran('', 1, "df: invalid option -- 'l'\nBusyBox v1.36.1 multi-call binary.\n")
    busybox.commands['df -P -T -B1'] = ran(fixture('df-B1.full-tmpfs.txt'))
    const { facts, errors } = await gather(snapshotHost(busybox))
    expect(errors['storage.filesystems']).toBeUndefined()
    expect(facts.storage?.filesystems?.map((f) => f.mountPoint)).toEqual(['/', '/srv/posture-test/full', '/srv/posture-test/inodes'])

    const broken = bareMachine()
    broken.commands['df -P -T -i -l'] = notFound('df')
    expect((await gather(snapshotHost(broken))).errors['storage.inodes']).toBe('df: command not found')
  })
})
