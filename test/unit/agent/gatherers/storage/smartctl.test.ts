import { describe, expect, it } from 'vitest'
import { parseDiskLayout } from '../../../../../agent/gatherers/storage/disk-layout.js'
import { buildSmartFacts, smartctlDeviceArgv } from '../../../../../agent/gatherers/storage/gather-smart.js'
import { parseSmartctlDevice, parseSmartctlScan, type SmartParse } from '../../../../../agent/gatherers/storage/smartctl.js'
import type { SmartDisk } from '../../../../../rules/facts/storage.js'
import { fixtureJson } from './storage-snapshot.js'

function disk(result: SmartParse): SmartDisk {
  if (!('disk' in result)) throw new Error(`expected a disk, got ${JSON.stringify(result)}`)
  return result.disk
}

const sda = { name: '/dev/sda', type: 'sat' }

describe('parseSmartctlDevice', () => {
  it('a healthy ATA disk: identity, counters, temperature, hours', () => {
    const d = disk(parseSmartctlDevice(fixtureJson('smartctl.smart-ata.json'), { name: '/dev/sdb', type: 'sat' }, 'smartctl'))
    expect(d).toMatchObject({
      target: '/dev/sdb', protocol: 'ATA', model: 'WDC WD140EDFZ-11A0VA0', serial: '9RK1XXXX', smartPassed: true, exitStatus: 0,
      diskFailing: false, prefailNow: false, temperatureC: 32, powerOnHours: 1730, failingAttributes: [], nvme: null, scsi: null,
    })
    expect(d.ata).toEqual({ reallocatedSectors: 0, pendingSectors: 0, offlineUncorrectable: 0, reportedUncorrectable: null, crcErrors: 0 })
    expect(d.sectorCounters.map((c) => `${c.name}=${c.value}`)).toEqual(['Reallocated_Sector_Ct (5)=0', 'Current_Pending_Sector (197)=0', 'Offline_Uncorrectable (198)=0'])
    expect(d.error).toBeUndefined()
  })

  it('a failing ATA disk: FAILED verdict, exit bits 3/4/6/7, attribute 5 at threshold now, pending sectors', () => {
    const d = disk(parseSmartctlDevice(fixtureJson('smartctl.smart-fail2.json'), { name: '/dev/sdc', type: 'sat' }, 'smartctl'))
    expect(d).toMatchObject({
      model: 'Hitachi HDS721050DLE630', serial: 'MSK423Y20S3HBC', exitStatus: 216, smartPassed: false,
      diskFailing: true, prefailNow: true, thresholdPast: false, errorLogErrors: true, selfTestErrors: true, powerOnHours: 65592,
    })
    expect(d.failingAttributes).toEqual([{ id: 5, name: 'Reallocated_Sector_Ct', value: 1, worst: 1, thresh: 5, whenFailed: 'now', raw: 1975 }])
    expect(d.sectorCounters).toEqual([
      { name: 'Reallocated_Sector_Ct (5)', value: 1975 },
      { name: 'Current_Pending_Sector (197)', value: 8 },
      { name: 'Offline_Uncorrectable (198)', value: 0 },
    ])
    expect(d.error).toBeUndefined()
  })

  it('an NVMe that reports PASSED yet has media errors', () => {
    const d = disk(parseSmartctlDevice(fixtureJson('smartctl.smart-nvme-failed.json'), { name: '/dev/nvme0', type: 'nvme' }, 'smartctl'))
    expect(d).toMatchObject({ model: 'Samsung SSD 970 EVO 500GB', serial: 'S466NX0M776250H', smartPassed: true, temperatureC: 35, powerOnHours: 12798, ata: null })
    expect(d.nvme).toEqual({
      criticalWarning: 0, criticalWarnings: [], availableSpare: 99, availableSpareThreshold: 10, percentageUsed: 3, mediaErrors: 7, errorLogEntries: 62, unsafeShutdowns: 10,
    })
    expect(d.sectorCounters).toEqual([{ name: 'media_errors', value: 7 }])
  })

  it('a healthy NVMe', () => {
    const d = disk(parseSmartctlDevice(fixtureJson('smartctl.smart-nvme.json'), { name: '/dev/nvme0', type: 'nvme' }, 'smartctl'))
    expect(d.nvme).toMatchObject({ criticalWarning: 0, percentageUsed: 0, mediaErrors: 0 })
  })

  it('spells out NVMe critical warning bits', () => {
    const json = structuredClone(fixtureJson('smartctl.smart-nvme.json')) as { nvme_smart_health_information_log: { critical_warning: number } }
    json.nvme_smart_health_information_log.critical_warning = 0x09
    expect(disk(parseSmartctlDevice(json, { name: '/dev/nvme0', type: 'nvme' }, 'smartctl')).nvme?.criticalWarnings).toEqual([
      'available spare below threshold',
      'media placed in read-only mode',
    ])
  })

  it('a SAS disk: grown defects and uncorrected errors', () => {
    const d = disk(parseSmartctlDevice(fixtureJson('smartctl.smart-scsi.json'), { name: '/dev/sdg', type: 'scsi' }, 'smartctl'))
    expect(d).toMatchObject({ protocol: 'SCSI', model: 'SEAGATE ST4000NM0043', smartPassed: true, temperatureC: 34, powerOnHours: 43549, ata: null, nvme: null })
    expect(d.scsi).toEqual({ grownDefects: 56, uncorrectedReadErrors: 0, uncorrectedWriteErrors: 0, uncorrectedVerifyErrors: null, percentageUsed: null })
    expect(d.sectorCounters).toEqual([
      { name: 'grown defect list', value: 56 },
      { name: 'uncorrected read errors', value: 0 },
      { name: 'uncorrected write errors', value: 0 },
    ])
  })

  it('a UDMA CRC count (cabling) is recorded but is no bad sector', () => {
    const d = disk(parseSmartctlDevice(fixtureJson('smartctl.smart-ata-failed-scrutiny.json'), sda, 'smartctl'))
    expect(d.ata?.crcErrors).toBe(108)
    expect(d.sectorCounters.every((c) => c.value === 0)).toBe(true)
  })

  it('a disk behind MegaRAID read with -d megaraid,0: exit bit 2 with a verdict is still read', () => {
    const d = disk(parseSmartctlDevice(fixtureJson('smartctl.smart-megaraid0.json'), { name: '/dev/bus/0', type: 'megaraid,0' }, 'smartctl'))
    expect(d).toMatchObject({ target: '/dev/bus/0 megaraid,0', exitStatus: 4, smartPassed: true, messages: ['Warning: This result is based on an Attribute check.'] })
    expect(d.error).toBeUndefined()
  })

  it('a device smartctl could not open is an error with its message', () => {
    const d = disk(parseSmartctlDevice(fixtureJson('smartctl.smart-fail.json'), sda, 'smartctl'))
    expect(d.error).toBe('SMART health of /dev/sda could not be read: Smartctl open device: /dev/sda failed: \\\\.\\PhysicalDrive0: Open failed, Error=5')
  })

  it('a virtio disk has no SMART: an error, never a pass', () => {
    const d = disk(parseSmartctlDevice(fixtureJson('smartctl.virtio-unsupported.json'), { name: '/dev/vda', type: null }, 'smartctl'))
    expect(d).toMatchObject({ smartPassed: null, exitStatus: 1, error: 'SMART health of /dev/vda could not be read: /dev/vda: Unable to detect device type' })
  })

  it('a MegaRAID logical volume is set apart, not an error', () => {
    const json = {
      smartctl: { exit_status: 2, messages: [{ string: "Smartctl open device: /dev/sda failed: DELL or MegaRaid controller, please try adding '-d megaraid,N'", severity: 'error' }] },
    }
    expect(parseSmartctlDevice(json, { name: '/dev/sda', type: 'scsi' }, 'smartctl')).toEqual({
      raidVolume: { device: '/dev/sda', reason: "Smartctl open device: /dev/sda failed: DELL or MegaRaid controller, please try adding '-d megaraid,N'" },
    })
  })

  it('JSON of another shape is an error', () => {
    expect(disk(parseSmartctlDevice([1, 2], sda, 'smartctl')).error).toMatch(/^unexpected smartctl JSON/)
  })
})

describe('scan and argv', () => {
  it('a scan with no devices (this project VM)', () => {
    expect(parseSmartctlScan(fixtureJson('smartctl-scan-open.no-devices.json'))).toEqual([])
  })

  it('reads devices and open errors', () => {
    const scan = {
      smartctl: { exit_status: 0 },
      devices: [
        { name: '/dev/sda', info_name: '/dev/sda', type: 'scsi', protocol: 'SCSI', open_error: 'Permission denied' },
        { name: '/dev/bus/0', info_name: '/dev/bus/0 [megaraid_disk_00]', type: 'megaraid,0', protocol: 'SCSI' },
      ],
    }
    expect(parseSmartctlScan(scan)).toEqual([
      { name: '/dev/sda', type: 'scsi', protocol: 'SCSI', openError: 'Permission denied' },
      { name: '/dev/bus/0', type: 'megaraid,0', protocol: 'SCSI', openError: null },
    ])
    expect(parseSmartctlScan({ devices: [] })).toBeNull()
  })

  it('passes the scanned -d type on', () => {
    expect(smartctlDeviceArgv({ name: '/dev/bus/0', type: 'megaraid,0' })).toEqual(['smartctl', '--json', '-a', '-d', 'megaraid,0', '/dev/bus/0'])
    expect(smartctlDeviceArgv({ name: '/dev/sda', type: null })).toEqual(['smartctl', '--json', '-a', '/dev/sda'])
  })

  it('says why there is no disk', () => {
    expect(buildSmartFacts([]).absence).toBe('smartctl --scan-open found no SMART-capable disk (virtual disks report no SMART data)')
    expect(buildSmartFacts([{ raidVolume: { device: '/dev/sda', reason: 'x' } }]).absence).toMatch(/^only RAID logical volumes \(\/dev\/sda\)/)
  })
})

describe('parseDiskLayout (systeminformation, where smartctl is missing)', () => {
  const reason = 'smartctl is not installed (package smartmontools)'

  it('a VM: no disks', () => {
    expect(parseDiskLayout(fixtureJson('systeminformation-disklayout.vm.json'), reason)).toEqual([])
  })

  it('names the disk, and its health is an error naming the missing tool', () => {
    const layout = [{ device: '/dev/nvme0n1', type: 'NVMe', name: 'SAMSUNG MZVLB512HBJQ', vendor: 'Samsung', size: 512110190592, serialNum: 'S4GENX0N123456', interfaceType: 'PCIe', smartStatus: 'unknown', temperature: null }]
    const [d] = parseDiskLayout(layout, reason)!
    expect(d).toMatchObject({ target: '/dev/nvme0n1', source: 'systeminformation', model: 'Samsung SAMSUNG MZVLB512HBJQ', serial: 'S4GENX0N123456', capacityBytes: 512110190592, smartPassed: null })
    expect(d?.error).toBe(`${reason}; systeminformation sees Samsung SAMSUNG MZVLB512HBJQ (serial S4GENX0N123456) but cannot read its SMART health`)
  })

  it('uses smartData when systeminformation has it', () => {
    const layout = [{ device: '/dev/nvme0', smartStatus: 'Ok', smartData: fixtureJson('smartctl.smart-nvme-failed.json') }]
    const [d] = parseDiskLayout(layout, reason)!
    expect(d).toMatchObject({ source: 'systeminformation', smartPassed: true, sectorCounters: [{ name: 'media_errors', value: 7 }] })
  })

  it('is null for another shape', () => {
    expect(parseDiskLayout({ disks: [] }, reason)).toBeNull()
  })
})
