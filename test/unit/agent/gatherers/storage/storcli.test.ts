import { describe, expect, it } from 'vitest'
import { parseStorcliControllers, parseStorcliOverview } from '../../../../../agent/gatherers/storage/storcli.js'
import { fixtureJson } from './storage-snapshot.js'

describe('parseStorcliOverview (storcli show J)', () => {
  it.each([
    ['one-controller', { failure: null, controllers: 1, raidControllers: 1, hbas: 0 }],
    ['two-controllers', { failure: null, controllers: 2, raidControllers: 2, hbas: 0 }],
    ['no-controller', { failure: null, controllers: 0, raidControllers: 0, hbas: 0 }],
    ['it-hba', { failure: null, controllers: 1, raidControllers: 0, hbas: 1 }],
    ['failure-foreign-config', { failure: 'Status Failure: Incomplete foreign configuration', controllers: 1, raidControllers: 0, hbas: 1 }],
  ])('%s', (name, expected) => {
    expect(parseStorcliOverview(fixtureJson(`storcli.show.${name}.json`))).toEqual(expected)
  })

  it('is null for output that is not storcli JSON', () => {
    expect(parseStorcliOverview({ error: 'x' })).toBeNull()
    expect(parseStorcliOverview(undefined)).toBeNull()
  })
})

describe('parseStorcliControllers (storcli /call show [all] J)', () => {
  it('a controller with an optimal RAID0 and twelve unconfigured good drives', () => {
    const [c0] = parseStorcliControllers(fixtureJson('storcli.c0-show.ugood.json'))!
    expect(c0).toMatchObject({ target: '/c0', controller: 0, model: 'Intel(R) RAID Controller RS3DC080', serial: 'SK75074929', status: null, cacheProtection: [] })
    expect(c0?.virtualDrives).toEqual([{ id: '2/1', type: 'RAID0', state: 'Optl', name: 'dummy', size: '43.655 TB' }])
    expect(c0?.physicalDrives).toHaveLength(12)
    expect(c0?.physicalDrives[0]).toEqual({ slot: '35:12', did: 21, state: 'UGood', driveGroup: null, size: '3.637 TB', interface: 'SAS', media: 'HDD', model: 'HUS726040AL5210' })
    expect(c0?.error).toBeUndefined()
  })

  it('a command that failed is an error, though it still carries data', () => {
    const [c0] = parseStorcliControllers(fixtureJson('storcli.c0-show.failure-foreign-config.json'))!
    expect(c0?.error).toBe('storcli command failed for controller 0: Status Failure: Incomplete foreign configuration')
    expect(c0?.virtualDrives).toHaveLength(1)
  })

  it('reads `show all` sections: controller status, basics, CacheVault', () => {
    const output = {
      Controllers: [{
        'Command Status': { Controller: 1, Status: 'Success', Description: 'None' },
        'Response Data': {
          Basics: { Controller: 1, Model: 'PERC H730P Mini', 'Serial Number': '5BT00X1' },
          Status: { 'Controller Status': 'Degraded', 'BBU Status': 0 },
          'VD LIST': [{ 'DG/VD': '0/0', TYPE: 'RAID10', State: 'Dgrd', Name: 'RAID10-A', Size: '60.0 GB' }],
          'PD LIST': [{ 'EID:Slt': '252:3', DID: 10, State: 'UBad', DG: '-', Size: '893.75 GB', Intf: 'SATA', Med: 'SSD', Model: '-' }],
          Cachevault_Info: [{ Model: 'CVPM02', State: 'Failed', Temp: '22C' }],
        },
      }],
    }
    expect(parseStorcliControllers(output)).toEqual([{
      target: '/c1', controller: 1, model: 'PERC H730P Mini', serial: '5BT00X1', status: 'Degraded',
      virtualDrives: [{ id: '0/0', type: 'RAID10', state: 'Dgrd', name: 'RAID10-A', size: '60.0 GB' }],
      physicalDrives: [{ slot: '252:3', did: 10, state: 'UBad', driveGroup: null, size: '893.75 GB', interface: 'SATA', media: 'SSD', model: null }],
      cacheProtection: [{ kind: 'cachevault', model: 'CVPM02', state: 'Failed' }],
    }])
  })
})
