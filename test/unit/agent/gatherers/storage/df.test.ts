import { describe, expect, it } from 'vitest'
import { filesystemInodes, filesystemSpace, parseDf } from '../../../../../agent/gatherers/storage/df.js'
import { fixture } from './storage-snapshot.js'

describe('df', () => {
  it('parses df -P -T -B1 and leaves pseudo filesystems out', () => {
    const rows = parseDf(fixture('df-B1.full-tmpfs.txt'))
    expect(rows.map((r) => r.mountPoint)).toEqual(['/dev', '/dev/shm', '/', '/sys/fs/cgroup', '/srv/posture-test/full', '/srv/posture-test/inodes'])
    expect(filesystemSpace(rows)).toEqual([
      { target: '/', mountPoint: '/', source: '/dev/vda', type: 'ext4', sizeBytes: 270553174016, usedBytes: 24159301632, availableBytes: 84784992256, usedPercent: 22.18 },
      { target: '/srv/posture-test/full', mountPoint: '/srv/posture-test/full', source: 'tmpfs', type: 'tmpfs', sizeBytes: 1048576, usedBytes: 983040, availableBytes: 65536, usedPercent: 93.75 },
      { target: '/srv/posture-test/inodes', mountPoint: '/srv/posture-test/inodes', source: 'tmpfs', type: 'tmpfs', sizeBytes: 4194304, usedBytes: 0, availableBytes: 4194304, usedPercent: 0 },
    ])
  })

  it('parses df -P -T -i', () => {
    const inodes = filesystemInodes(parseDf(fixture('df-i.full-tmpfs.txt')))
    expect(inodes.find((i) => i.mountPoint === '/')).toEqual({ target: '/', mountPoint: '/', source: '/dev/vda', type: 'ext4', total: 16777216, used: 426314, free: 16350902, usedPercent: 2.54 })
    expect(inodes.find((i) => i.mountPoint === '/srv/posture-test/inodes')).toMatchObject({ total: 16, used: 16, free: 0, usedPercent: 100 })
  })

  it('btrfs reports no inode table; squashfs, overlay and docker mounts are left out; mount points may hold spaces', () => {
    const text = [
      'Filesystem     Type     Inodes IUsed IFree IUse% Mounted on',
      '/dev/loop0     btrfs         0     0     0     - /mnt/fxbtrfs',
      '/dev/loop3     squashfs  12345 12345     0  100% /snap/core/1',
      'overlay        overlay   10000   100  9900    1% /var/lib/docker/overlay2/abc/merged',
      '/dev/sdb1      ext4      65536  1000 64536    2% /srv/my data',
    ].join('\n')
    expect(filesystemInodes(parseDf(text))).toEqual([
      { target: '/mnt/fxbtrfs', mountPoint: '/mnt/fxbtrfs', source: '/dev/loop0', type: 'btrfs', total: 0, used: 0, free: 0, usedPercent: null },
      { target: '/srv/my data', mountPoint: '/srv/my data', source: '/dev/sdb1', type: 'ext4', total: 65536, used: 1000, free: 64536, usedPercent: 1.53 },
    ])
  })
})
