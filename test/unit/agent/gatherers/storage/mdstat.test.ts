import { describe, expect, it } from 'vitest'
import { buildMdFacts, parseMdSysfs } from '../../../../../agent/gatherers/storage/gather-md.js'
import { parseMdadmDetail } from '../../../../../agent/gatherers/storage/mdadm-detail.js'
import { parseMdstat } from '../../../../../agent/gatherers/storage/mdstat.js'
import { fixture } from './storage-snapshot.js'

describe('parseMdstat on the procfs fixture (every state in one file)', () => {
  const mdstat = parseMdstat(fixture('proc-mdstat.procfs.txt'))
  const array = (name: string) => {
    const found = mdstat.arrays.find((a) => a.name === name)
    if (!found) throw new Error(`${name} not parsed`)
    return found
  }

  it('lists the personalities and all 18 arrays in order', () => {
    expect(mdstat.personalities).toEqual(['linear', 'multipath', 'raid0', 'raid1', 'raid6', 'raid5', 'raid4', 'raid10'])
    expect(mdstat.arrays.map((a) => a.name)).toEqual([
      'md3', 'md127', 'md0', 'md4', 'md6', 'md8', 'md201', 'md7', 'md9', 'md10', 'md11', 'md12', 'md126', 'md219', 'md00', 'md120', 'md101', 'md42',
    ])
  })

  it('a healthy raid6 with spares', () => {
    expect(array('md3')).toMatchObject({ state: 'active', access: 'read-write', level: 'raid6', metadata: '1.2', raidDevices: 8, workingDevices: 8, slotMap: 'UUUUUUUU', sync: null, container: false })
    expect(array('md3').members.filter((m) => m.role === 'spare').map((m) => m.device)).toEqual(['sdd1', 'sdd2'])
    expect(array('md3').members).toHaveLength(10)
  })

  it('an inactive raid1 with a faulty and a spare member', () => {
    expect(array('md4')).toMatchObject({ state: 'inactive', level: 'raid1' })
    expect(array('md4').members).toEqual([
      { device: 'sda3', number: 0, role: 'faulty', writeMostly: false, replacement: false },
      { device: 'sdb3', number: 1, role: 'spare', writeMostly: false, replacement: false },
    ])
  })

  it('a degraded raid1 [U_] recovering, with progress, speed and finish', () => {
    expect(array('md6')).toMatchObject({ raidDevices: 2, workingDevices: 1, slotMap: 'U_', sizeBlocks: 195310144 })
    expect(array('md6').sync).toEqual({
      action: 'recovery', status: 'running', progressPercent: 8.5, doneBlocks: 16775552, totalBlocks: 195310144, finishMinutes: 17, speedKiBPerSecond: 259783,
    })
    expect(array('md6').members.map((m) => `${m.device}:${m.role}`)).toEqual(['sdb2:faulty', 'sdc:spare', 'sda2:active'])
  })

  it('resync, check and reshape', () => {
    expect(array('md8').sync).toMatchObject({ action: 'resync', status: 'running', progressPercent: 8.5 })
    expect(array('md201').sync).toMatchObject({ action: 'check', progressPercent: 5.7, finishMinutes: 0.2, speedKiBPerSecond: 114176 })
    expect(array('md42')).toMatchObject({ level: 'raid5', slotMap: 'UU_', raidDevices: 3, workingDevices: 2 })
    expect(array('md42').sync).toMatchObject({ action: 'reshape', progressPercent: 56.1, doneBlocks: 1096879076, finishMinutes: 1868.1, speedKiBPerSecond: 7640 })
  })

  it('a degraded raid6 [U_UU] whose bitmap line is no sync line', () => {
    expect(array('md7')).toMatchObject({ slotMap: 'U_UU', raidDevices: 4, workingDevices: 3, sync: null })
    expect(array('md7').members.find((m) => m.role === 'faulty')?.device).toBe('sdc1')
  })

  it('resync=DELAYED and, on an auto-read-only array, resync=PENDING', () => {
    expect(array('md9').sync).toMatchObject({ action: 'resync', status: 'delayed', progressPercent: null })
    expect(array('md11')).toMatchObject({ access: 'auto-read-only', level: 'raid1' })
    expect(array('md11').sync).toMatchObject({ action: 'resync', status: 'pending' })
  })

  it('raid0 and linear have no slot map; read-only arrays say so', () => {
    expect(array('md10')).toMatchObject({ level: 'raid0', raidDevices: null, slotMap: null, sync: null })
    expect(array('md120')).toMatchObject({ level: 'linear', slotMap: null })
    expect(array('md101')).toMatchObject({ access: 'read-only', level: 'raid0' })
  })

  it('an IMSM container is a container; its member array is not', () => {
    expect(array('md219')).toMatchObject({ state: 'inactive', level: null, container: true, metadata: 'external:imsm' })
    expect(array('md126')).toMatchObject({ container: false, metadata: 'external:/md127/0', level: 'raid0' })
  })
})

describe('parseMdstat on real text that lost its indentation', () => {
  it('reads the degraded array of an mdadm alert mail', () => {
    const mdstat = parseMdstat(fixture('proc-mdstat.degraded-raid1-flattened.txt'))
    expect(mdstat.arrays.map((a) => [a.name, a.slotMap, a.members.filter((m) => m.role === 'faulty').map((m) => m.device)])).toEqual([
      ['md0', 'UU', []],
      ['md1', 'U_', ['sdb3']],
    ])
  })

  it('an empty mdstat (driver loaded, no arrays)', () => {
    expect(parseMdstat('Personalities : [raid1]\nunused devices: <none>\n')).toEqual({ personalities: ['raid1'], arrays: [] })
  })
})

describe('parseMdadmDetail', () => {
  it.each([
    ['raid1-ok', ['clean'], { raidDevices: 2, activeDevices: 2, failedDevices: 0, spareDevices: 0, syncPercent: null }],
    ['raid1-faulty', ['clean', 'degraded'], { activeDevices: 1, failedDevices: 1 }],
    ['raid1-faulty-with-spare', ['clean', 'degraded', 'recovering'], { activeDevices: 1, failedDevices: 1, spareDevices: 1, syncPercent: 24 }],
    ['raid1-rebuild-failfast', ['clean', 'degraded', 'recovering'], { activeDevices: 1, workingDevices: 2, syncPercent: 20 }],
    ['raid1-spare-writem-rebuild', ['clean', 'recovering'], { activeDevices: 2, spareDevices: 1, syncPercent: 30 }],
    ['raid1-syncing', ['clean', 'resyncing'], { syncPercent: 4 }],
    ['raid5-ok', ['clean'], { raidDevices: 3, activeDevices: 3, uuid: '4d798d62:adfb6a9f:cbe9a393:b79cd3f4' }],
  ])('%s', (name, state, fields) => {
    const detail = parseMdadmDetail(fixture(`mdadm-detail.${name}.txt`))
    expect(detail?.state).toEqual(state)
    expect(detail).toMatchObject(fields)
  })

  it('reads the device table: removed slots, faulty and rebuilding members', () => {
    expect(parseMdadmDetail(fixture('mdadm-detail.raid1-faulty.txt'))?.devices).toEqual([
      { device: '/dev/vda1', raidDevice: 0, state: ['active', 'sync'] },
      { device: null, raidDevice: 1, state: ['removed'] },
      { device: '/dev/vda2', raidDevice: null, state: ['faulty'] },
    ])
    expect(parseMdadmDetail(fixture('mdadm-detail.raid1-faulty-with-spare.txt'))?.devices.map((d) => `${d.device} ${d.state.join(' ')}`)).toEqual([
      '/dev/vda1 active sync',
      '/dev/vda4 spare rebuilding',
      '/dev/vda2 faulty failfast',
    ])
  })

  it('is null for text that is not mdadm --detail', () => {
    expect(parseMdadmDetail('mdadm: cannot open /dev/md0: Permission denied\n')).toBeNull()
  })
})

describe('sysfs and the joined md facts', () => {
  it('parses sysfs attributes, null where absent', () => {
    expect(parseMdSysfs({ array_state: 'active\n', degraded: '1\n', sync_action: 'recover\n', sync_completed: '1569888 / 2093056\n', mismatch_cnt: null })).toEqual({
      arrayState: 'active', degraded: 1, syncAction: 'recover', syncCompleted: '1569888 / 2093056', mismatchCount: null,
    })
    expect(parseMdSysfs({ array_state: null, degraded: null })).toBeNull()
  })

  it('leaves containers out of the arrays, counts missing devices from every source', () => {
    const mdstat = parseMdstat(fixture('proc-mdstat.procfs.txt'))
    const arrays = mdstat.arrays.filter((a) => !a.container)
    const sysfs = arrays.map((a) => (a.name === 'md3' ? parseMdSysfs({ degraded: '2', sync_action: 'idle' }) : null))
    const details = arrays.map((a) => (a.name === 'md127' ? { detail: parseMdadmDetail(fixture('mdadm-detail.raid1-faulty.txt'))! } : { error: 'mdadm is not installed' }))
    const facts = buildMdFacts(mdstat.arrays, sysfs, details)
    expect(facts.absence).toBeNull()
    expect(facts.containers).toEqual([{ target: '/dev/md219', name: 'md219', metadata: 'external:imsm', members: ['sdb', 'sdc', 'sda'] }])
    const byName = Object.fromEntries(facts.arrays.map((a) => [a.name, a]))
    expect(byName.md219).toBeUndefined()
    expect(byName.md3).toMatchObject({ missingDevices: 2, detailError: 'mdadm is not installed' }) // sysfs says degraded 2
    expect(byName.md127).toMatchObject({ missingDevices: 1, detailError: null }) // mdadm: 2 raid devices, 1 active
    expect(byName.md6).toMatchObject({ target: '/dev/md6', missingDevices: 1, faultyMembers: ['sdb2'], spareMembers: ['sdc'] })
    expect(byName.md9).toMatchObject({ missingDevices: 0, faultyMembers: ['sde', 'sdf'], spareMembers: ['sdg'] })
  })

  it('a user-requested repair shows as resync in mdstat and as repair in sysfs', () => {
    const mdstat = parseMdstat('md5 : active raid1 sda1[0] sdb1[1]\n      1000 blocks [2/2] [UU]\n      [=>...]  resync = 10.0% (100/1000) finish=1.0min speed=100K/sec\n')
    const facts = buildMdFacts(mdstat.arrays, [parseMdSysfs({ sync_action: 'repair' })], [{ error: 'mdadm is not installed' }])
    expect(facts.arrays[0]?.sync?.action).toBe('repair')
  })

  it('says why there is nothing to check', () => {
    expect(buildMdFacts([], [], []).absence).toBe('the md driver is loaded but no arrays are assembled (/proc/mdstat lists none)')
    const onlyContainer = parseMdstat('md219 : inactive sdb[2](S) sdc[1](S)\n        7932 blocks super external:imsm\n')
    expect(buildMdFacts(onlyContainer.arrays, [], []).absence).toBe('only metadata containers (md219) and no member arrays are assembled')
  })
})
