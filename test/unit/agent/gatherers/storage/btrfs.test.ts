import { describe, expect, it } from 'vitest'
import { parseBtrfsDeviceStats, parseBtrfsFilesystemShow } from '../../../../../agent/gatherers/storage/btrfs.js'
import { parseProcMounts } from '../../../../../agent/gatherers/storage/proc-mounts.js'
import { fixture } from './storage-snapshot.js'

describe('btrfs', () => {
  it('device stats: clean raid1', () => {
    expect(parseBtrfsDeviceStats(fixture('btrfs-device-stats.clean.txt'))).toEqual([
      { device: '/dev/loop0', writeIoErrs: 0, readIoErrs: 0, flushIoErrs: 0, corruptionErrs: 0, generationErrs: 0 },
      { device: '/dev/loop1', writeIoErrs: 0, readIoErrs: 0, flushIoErrs: 0, corruptionErrs: 0, generationErrs: 0 },
    ])
  })

  it('device stats: corruption found by scrub on the second device', () => {
    expect(parseBtrfsDeviceStats(fixture('btrfs-device-stats.corruption.txt'))[1]).toEqual(
      { device: '/dev/loop1', writeIoErrs: 0, readIoErrs: 0, flushIoErrs: 0, corruptionErrs: 4, generationErrs: 0 },
    )
  })

  it('device stats: a missing device is named by devid', () => {
    expect(parseBtrfsDeviceStats('[devid:2].write_io_errs    12\n[devid:2].read_io_errs 0\n')).toEqual([
      { device: 'devid:2', writeIoErrs: 12, readIoErrs: 0, flushIoErrs: 0, corruptionErrs: 0, generationErrs: 0 },
    ])
  })

  it('filesystem show: uuid, and whether devices are missing', () => {
    expect(parseBtrfsFilesystemShow(fixture('btrfs-filesystem-show.txt'))).toEqual({ uuid: '14f2aa20-6a13-4766-8dc3-f7365ca731f7', missingDevices: false })
    expect(parseBtrfsFilesystemShow('Label: none  uuid: 14f2aa20-6a13-4766-8dc3-f7365ca731f7\n\tTotal devices 2 FS bytes used 144.00KiB\n\t*** Some devices missing\n').missingDevices).toBe(true)
  })

  it('/proc/mounts, with octal escapes', () => {
    expect(parseProcMounts('/dev/sda2 /srv/my\\040data btrfs rw,relatime,subvol=/data 0 0\nproc /proc proc rw 0 0\n')).toEqual([
      { source: '/dev/sda2', mountPoint: '/srv/my data', type: 'btrfs', options: ['rw', 'relatime', 'subvol=/data'] },
      { source: 'proc', mountPoint: '/proc', type: 'proc', options: ['rw'] },
    ])
  })
})
