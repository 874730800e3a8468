import type { BtrfsFacts, BtrfsFilesystem } from '../../../rules/facts/storage.js'
import type { Host } from '../../host/host.js'
import { commandStdout, fileText, ok, type Evidence } from '../evidence.js'
import { parseBtrfsDeviceStats, parseBtrfsFilesystemShow } from './btrfs.js'
import { parseProcMounts, type Mount } from './proc-mounts.js'

/**
 * btrfs device error counters of every mounted btrfs filesystem. No btrfs mount means
 * nothing to check; a mounted btrfs whose counters cannot be read (btrfs-progs missing,
 * no CAP_SYS_ADMIN) is an error for that filesystem.
 */
export async function gatherBtrfs(host: Host): Promise<Evidence<BtrfsFacts>> {
  const mounts = fileText(await host.readFile('/proc/mounts'))
  if (!mounts.ok) return mounts
  const groups = groupBySource(parseProcMounts(mounts.value).filter((m) => m.type === 'btrfs'))
  if (groups.length === 0) return ok({ absence: 'no btrfs filesystem is mounted', filesystems: [] })
  return ok({ absence: null, filesystems: await Promise.all(groups.map((g) => readFilesystem(host, g))) })
}

/** Subvolumes of one filesystem are mounted from the same device: read each filesystem once. */
function groupBySource(mounts: readonly Mount[]): Mount[][] {
  const groups = new Map<string, Mount[]>()
  for (const mount of mounts) groups.set(mount.source, [...(groups.get(mount.source) ?? []), mount])
  return [...groups.values()]
}

async function readFilesystem(host: Host, mounts: readonly Mount[]): Promise<BtrfsFilesystem> {
  const mountPoint = mounts[0]!.mountPoint
  const base = {
    target: mountPoint,
    mountPoint,
    source: mounts[0]!.source,
    mountPoints: mounts.map((m) => m.mountPoint),
    devices: [],
    missingDevices: false,
    checkExitCode: null,
  }
  const statsArgv = ['btrfs', 'device', 'stats', '--check', mountPoint]
  const showArgv = ['btrfs', 'filesystem', 'show', mountPoint]
  const [stats, show] = await Promise.all([host.run(statsArgv, { timeoutMs: 15_000 }), host.run(showArgv, { timeoutMs: 15_000 })])
  if ('error' in stats && stats.error === 'ENOENT') {
    return { ...base, error: `btrfs is mounted at ${mountPoint} but the btrfs command (btrfs-progs) is not installed: its device error counters cannot be read` }
  }
  // --check exits 64 when any counter is not zero (btrfs-progs cmds/device.c).
  const statsText = commandStdout(statsArgv, stats, [0, 64])
  if (!statsText.ok) return { ...base, error: statsText.reason }
  const devices = parseBtrfsDeviceStats(statsText.value)
  if (devices.length === 0) return { ...base, error: `${statsArgv.join(' ')} printed no device counters` }
  const showText = commandStdout(showArgv, show)
  if (!showText.ok) return { ...base, devices, error: showText.reason }
  return {
    ...base,
    devices,
    missingDevices: parseBtrfsFilesystemShow(showText.value).missingDevices,
    checkExitCode: 'exitCode' in stats ? stats.exitCode : null,
  }
}
