import { describe, expect, it } from 'vitest'
import { buildZfsPools } from '../../../../../agent/gatherers/storage/gather-zfs.js'
import { parseCtime, parseScan, parseZpoolList, parseZpoolStatus } from '../../../../../agent/gatherers/storage/zpool.js'
import { fixture } from './storage-snapshot.js'

describe('parseZpoolList', () => {
  it('reads -H -p rows (TAB-separated, exact numbers)', () => {
    expect(parseZpoolList(fixture('zpool-list.synthetic.txt'))).toEqual([
      { name: 'tank', health: 'ONLINE', sizeBytes: 1000204886016, allocatedBytes: 22299262976, freeBytes: 977905623040, capacityPercent: 2 },
      { name: 'zpool_test', health: 'DEGRADED', sizeBytes: 106837311488, allocatedBytes: 5884105523, freeBytes: 100953205965, capacityPercent: 5 },
    ])
  })

  it('no pools: empty output', () => {
    expect(parseZpoolList('')).toEqual([])
  })

  it('unknown values are null, a % sign is tolerated', () => {
    expect(parseZpoolList('rpool\tFAULTED\t-\t-\t-\t28%\n')).toEqual([
      { name: 'rpool', health: 'FAULTED', sizeBytes: null, allocatedBytes: null, freeBytes: null, capacityPercent: 28 },
    ])
  })
})

describe('parseZpoolStatus', () => {
  it('a degraded mirror with a spare in use (Gentoo wiki)', () => {
    const [pool] = parseZpoolStatus(fixture('zpool-status.degraded-spare-inuse.gentoo.txt'))
    expect(pool).toMatchObject({ name: 'zpool_test', state: 'DEGRADED', errors: null, action: "Replace the device using 'zpool replace'." })
    expect(pool?.status).toBe('One or more devices could not be used because the label is missing or invalid. Sufficient replicas exist for the pool to continue functioning in a degraded state.')
    expect(pool?.devices.map((d) => [d.name, d.state, d.read, d.write, d.cksum, d.depth, d.section, d.note])).toEqual([
      ['zpool_test', 'DEGRADED', 0, 0, 0, 0, 'data', null],
      ['mirror-0', 'DEGRADED', 0, 0, 0, 1, 'data', null],
      ['spare-0', 'DEGRADED', 0, 0, 0, 2, 'data', null],
      ['/dev/sdg1', 'UNAVAIL', 3, 83, 0, 3, 'data', null],
      ['/dev/sdd1', 'ONLINE', 0, 0, 0, 3, 'data', null],
      ['/dev/sdh1', 'ONLINE', 0, 0, 0, 2, 'data', null],
      ['/dev/sdd1', 'INUSE', null, null, null, 1, 'spares', 'currently in use'],
    ])
    expect(pool?.scan).toMatchObject({ function: 'resilver', state: 'finished', at: '2023-05-06T11:39:28.000Z', errors: 0 })
  })

  it('Linux tab-indented output with an available spare', () => {
    const [pool] = parseZpoolStatus(fixture('zpool-status.spare-avail.txt'))
    expect(pool?.devices).toHaveLength(14)
    expect(pool?.devices.at(-1)).toEqual({ name: 'sdf', state: 'AVAIL', read: null, write: null, cksum: null, note: null, depth: 1, section: 'spares' })
    expect(pool?.devices.find((d) => d.name === 'sdk')).toMatchObject({ depth: 2, section: 'data', read: 0 })
    expect(pool?.errors).toBe('No known data errors')
  })

  it('an UNAVAIL pool with permanent errors and the files they hit', () => {
    const [pool] = parseZpoolStatus(fixture('zpool-status.unavail-data-errors.txt'))
    expect(pool).toMatchObject({ state: 'UNAVAIL' })
    expect(pool?.errors?.split('\n')).toEqual([
      'Permanent errors have been detected in the following files:',
      '/tank/data/aaa',
      '/tank/data/bbb',
      '/tank/data/ccc',
    ])
    expect(pool?.devices.find((d) => d.name === 'tank')?.note).toBe('insufficient replicas')
    expect(pool?.devices.find((d) => d.name === 'c1t1d0')).toMatchObject({ state: 'UNAVAIL', read: 4, write: 1, note: 'cannot open' })
    // Solaris' older `scrub:` line
    expect(pool?.scan).toMatchObject({ function: 'scrub', state: 'finished', at: '2010-02-02T13:08:42.000Z', errors: 0 })
  })

  it('a DEGRADED mirror with an UNAVAIL disk (Solaris, scrub: none requested)', () => {
    const [pool] = parseZpoolStatus(fixture('zpool-status.degraded-unavail.txt'))
    expect(pool?.devices.find((d) => d.name === 'c1t1d0')).toMatchObject({ state: 'UNAVAIL', note: 'cannot open' })
    expect(pool?.scan).toMatchObject({ function: null, state: 'none', at: null })
  })

  it('three pools in one output, indentation lost', () => {
    const pools = parseZpoolStatus(fixture('zpool-status.three-pools-flattened.txt'))
    expect(pools.map((p) => [p.name, p.state, p.devices.length, p.scan?.state, p.scan?.at])).toEqual([
      ['zhgstera6', 'ONLINE', 2, 'canceled', '2022-08-19T15:33:19.000Z'],
      ['zint500', 'ONLINE', 2, 'finished', '2022-08-16T00:20:50.000Z'],
      ['zsam53', 'ONLINE', 2, 'finished', '2022-08-15T01:26:46.000Z'],
    ])
    expect(pools[0]?.devices[1]?.name).toBe('726060ALE614-K8JAPRGN:10')
  })

  it('a scrub in progress; humanised counters (68.9K) read as numbers', () => {
    const [pool] = parseZpoolStatus(fixture('zpool-status.scrub-in-progress-cksum.gentoo.txt'))
    expect(pool?.scan).toMatchObject({ function: 'scrub', state: 'in-progress', at: '2023-05-06T13:43:09.000Z', progressPercent: 8.31 })
    expect(pool?.devices.filter((d) => (d.cksum ?? 0) > 0).map((d) => [d.name, d.cksum])).toEqual([
      ['/dev/sdh1', 68900],
      ['/dev/sdg1', 68900],
    ])
  })
})

describe('scan lines and dates', () => {
  it.each([
    ['scrub repaired 0B in 11:16:03 with 0 errors on Sun Feb 12 11:40:04 2023', { function: 'scrub', state: 'finished', at: '2023-02-12T11:40:04.000Z', errors: 0 }],
    ['scrub repaired 0 in 0 days 00:19:47 with 0 errors on Tue Aug 16 00:20:50 2022', { function: 'scrub', state: 'finished', errors: 0 }],
    ['scrub canceled on Fri Aug 19 15:33:19 2022', { function: 'scrub', state: 'canceled' }],
    ['scrub paused since Sun Jul 25 16:07:49 2021', { function: 'scrub', state: 'paused', at: '2021-07-25T16:07:49.000Z' }],
    ['resilver in progress since Sat Aug 31 12:32:44 2024\n\t16.2M scanned at 0B/s, 16.2M issued at 6.01M/s, 16.2M total\n\t10.5M resilvered, 100.00% done, no estimated completion time', { function: 'resilver', state: 'in-progress', progressPercent: 100 }],
    ['none requested', { function: null, state: 'none', at: null }],
  ])('%s', (text, expected) => {
    expect(parseScan(text)).toMatchObject(expected)
  })

  it('reads ctime dates as UTC, with the padded day of month', () => {
    expect(parseCtime('Tue Feb  2 13:08:42 2010')).toBe('2010-02-02T13:08:42.000Z')
    expect(parseCtime('not a date')).toBeNull()
  })
})

describe('buildZfsPools', () => {
  it('joins list and status, finds the last scrub and data errors', () => {
    const statuses = [
      ...parseZpoolStatus(fixture('zpool-status.spare-avail.txt')),
      ...parseZpoolStatus(fixture('zpool-status.degraded-spare-inuse.gentoo.txt')),
    ]
    const pools = buildZfsPools(parseZpoolList(fixture('zpool-list.synthetic.txt')), statuses)
    expect(pools.map((p) => [p.target, p.health, p.dataErrors, p.lastScrubAt, p.scrubInProgress, p.error])).toEqual([
      ['tank', 'ONLINE', false, null, false, undefined], // "scrub repaired 0B in <snip>": no date survived in the fixture
      ['zpool_test', 'DEGRADED', false, null, false, undefined], // last scan was a resilver
    ])
    const broken = buildZfsPools([{ name: 'gone', health: 'ONLINE', sizeBytes: null, allocatedBytes: null, freeBytes: null, capacityPercent: null }], statuses)
    expect(broken[0]?.error).toBe('zpool status did not list pool gone')
    const damaged = buildZfsPools([{ name: 'tank', health: 'UNAVAIL', sizeBytes: null, allocatedBytes: null, freeBytes: null, capacityPercent: null }], parseZpoolStatus(fixture('zpool-status.unavail-data-errors.txt')))
    expect(damaged[0]).toMatchObject({ dataErrors: true, lastScrubAt: '2010-02-02T13:08:42.000Z' })
  })
})
