import type { SmartDisk, SmartFacts } from '../../../rules/facts/storage.js'
import type { Host } from '../../host/host.js'
import { missing, ok, type Evidence } from '../evidence.js'
import { firstLine, parseJsonOutput } from './command-output.js'
import { parseDiskLayout } from './disk-layout.js'
import { emptyDisk, parseSmartctlDevice, parseSmartctlScan, raidVolumeReason, type ScannedDevice, type SmartParse } from './smartctl.js'

const scanArgv = ['smartctl', '--scan-open', '--json'] as const
/** Disks read at once: smartctl may wake a sleeping disk, which takes seconds. */
const parallelReads = 4

/** smartctl's argv for one scanned device (`-d` as the scan detected it, e.g. `megaraid,3`). */
export function smartctlDeviceArgv(device: { name: string; type: string | null }): string[] {
  return ['smartctl', '--json', '-a', ...(device.type ? ['-d', device.type] : []), device.name]
}

/**
 * SMART health of every disk: `smartctl --scan-open`, then `smartctl --json -a` per device.
 * Where smartctl is not installed, systeminformation's diskLayout() names the disks (on
 * this machine only, or replayed from a snapshot: systeminformation would read the
 * collector, not an SSH target) and each disk is an error naming the missing tool.
 */
export async function gatherSmart(host: Host): Promise<Evidence<SmartFacts>> {
  const scan = await host.run(scanArgv, { timeoutMs: 30_000 })
  if ('error' in scan) {
    if (scan.error !== 'ENOENT') return missing(scan.message)
    return fallbackToDiskLayout(host, 'smartctl is not installed (package smartmontools)')
  }
  const devices = parseSmartctlScan(parseJsonOutput(scan.stdout))
  if (devices === null) return missing(`${scanArgv.join(' ')} exited ${scan.exitCode} without its JSON report: ${firstLine(scan.stderr || scan.stdout)}`)

  const results = await mapLimit(devices, parallelReads, (device) => readDevice(host, device))
  return ok(buildSmartFacts(results))
}

/** Disks and RAID volumes from per-device results. Pure. */
export function buildSmartFacts(results: readonly SmartParse[]): SmartFacts {
  const disks = results.flatMap((r) => ('disk' in r ? [r.disk] : []))
  const raidVolumes = results.flatMap((r) => ('raidVolume' in r ? [r.raidVolume] : []))
  let absence: string | null = null
  if (disks.length === 0) {
    absence =
      raidVolumes.length > 0
        ? `only RAID logical volumes (${raidVolumes.map((v) => v.device).join(', ')}); their disks are checked through the controller (storage.hwraid.healthy)`
        : 'smartctl --scan-open found no SMART-capable disk (virtual disks report no SMART data)'
  }
  return { absence, disks, raidVolumes }
}

async function readDevice(host: Host, device: ScannedDevice): Promise<SmartParse> {
  if (device.openError !== null) {
    const raid = raidVolumeReason(device.openError)
    if (raid) return { raidVolume: { device: device.name, reason: raid } }
    const hint = /permission denied|operation not permitted/i.test(device.openError) ? ' (smartctl needs root to open disks)' : ''
    return { disk: { ...emptyDisk(device, 'smartctl'), error: `smartctl cannot open ${device.name}: ${device.openError}${hint}` } }
  }
  const argv = smartctlDeviceArgv(device)
  const result = await host.run(argv, { timeoutMs: 30_000 })
  if ('error' in result) return { disk: { ...emptyDisk(device, 'smartctl'), error: result.message } }
  const json = parseJsonOutput(result.stdout)
  if (json === undefined) {
    return { disk: { ...emptyDisk(device, 'smartctl'), error: `${argv.join(' ')} exited ${result.exitCode} without JSON: ${firstLine(result.stderr || result.stdout)}` } }
  }
  return parseSmartctlDevice(json, device, 'smartctl')
}

async function fallbackToDiskLayout(host: Host, reason: string): Promise<Evidence<SmartFacts>> {
  if (host.description !== 'local' && !host.description.startsWith('snapshot:')) return missing(reason)
  const probe = await host.probe('systeminformation diskLayout', async () => {
    const si = await import('systeminformation')
    return si.diskLayout()
  })
  if ('error' in probe) return missing(`${reason}; systeminformation diskLayout() failed too: ${probe.message}`)
  const disks: SmartDisk[] | null = parseDiskLayout(probe.result, reason)
  if (disks === null) return missing(`${reason}; systeminformation diskLayout() returned an unexpected value`)
  // No disk at all proves nothing here: without smartctl, physical disks may simply be unseen.
  if (disks.length === 0) return missing(`${reason}; systeminformation lists no physical disk either, so disk health is unknown`)
  return ok({ absence: null, disks, raidVolumes: [] })
}


async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
