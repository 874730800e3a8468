import type { MdadmDetail } from '../../../rules/facts/storage.js'

/**
 * Parses `mdadm --detail /dev/mdX` (mdadm(8), Detail.c; samples in host-facts.md 2.2):
 * `Key : value` lines, then the device table
 *
 *     Number   Major   Minor   RaidDevice State
 *        0     254        1        0      active sync   /dev/vda1
 *        -       0        0        1      removed
 *        2     254        2        -      faulty failfast   /dev/vda2
 *
 * Returns null when the text has no `State :` line (not mdadm's detail output).
 */
export function parseMdadmDetail(text: string): MdadmDetail | null {
  const fields = new Map<string, string>()
  const devices: MdadmDetail['devices'] = []
  let inTable = false
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    if (/^Number\s+Major\s+Minor\s+RaidDevice\s+State/.test(line)) {
      inTable = true
      continue
    }
    if (inTable) {
      const device = parseDeviceRow(line)
      if (device) devices.push(device)
      continue
    }
    const colon = line.indexOf(' : ')
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 3).trim())
  }
  const state = fields.get('State')
  if (state === undefined) return null
  const number = (key: string): number | null => {
    const value = fields.get(key)
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : null
  }
  const statusKey = ['Rebuild Status', 'Resync Status', 'Reshape Status', 'Check Status'].find((k) => fields.has(k))
  const percent = statusKey ? /(\d+)%/.exec(fields.get(statusKey)!) : null
  return {
    state: state.split(',').map((s) => s.trim()).filter(Boolean),
    raidDevices: number('Raid Devices'),
    activeDevices: number('Active Devices'),
    workingDevices: number('Working Devices'),
    failedDevices: number('Failed Devices'),
    spareDevices: number('Spare Devices'),
    syncPercent: percent ? Number(percent[1]) : null,
    uuid: fields.get('UUID') ?? null,
    devices,
  }
}

function parseDeviceRow(line: string): MdadmDetail['devices'][number] | null {
  const tokens = line.split(/\s+/)
  if (tokens.length < 5 || !/^(\d+|-)$/.test(tokens[0]!)) return null
  const raidDevice = tokens[3]!
  const rest = tokens.slice(4)
  const device = rest.at(-1)?.startsWith('/dev/') ? rest.pop()! : null
  return { device, raidDevice: /^\d+$/.test(raidDevice) ? Number(raidDevice) : null, state: rest }
}
