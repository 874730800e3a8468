import type { ZfsFacts, ZfsPool } from '../../../rules/facts/storage.js'
import type { CommandResult, Host } from '../../host/host.js'
import { commandStdout, missing, ok, type Evidence } from '../evidence.js'
import { parseZpoolList, parseZpoolStatus, zpoolListArgv, type ZpoolListEntry, type ZpoolStatus } from './zpool.js'

const statusArgv = ['zpool', 'status'] as const

/**
 * ZFS pools: `zpool list` for health and size, `zpool status` for vdevs, errors and the
 * last scrub. Absence rules (the `storage.zfs.*` na_message documents them):
 * - no `zpool` command and no ZFS kernel module (/proc/spl) → nothing to check;
 * - `zpool` installed, module not loaded → nothing to check (no pool can be imported);
 * - the module loaded without `zpool`, or `zpool` failing otherwise → error.
 */
export async function gatherZfs(host: Host): Promise<Evidence<ZfsFacts>> {
  const [list, spl] = await Promise.all([host.run(zpoolListArgv, { timeoutMs: 20_000 }), host.listDir('/proc/spl')])
  const moduleLoaded = 'entries' in spl
  const absent = zfsAbsence(list, moduleLoaded)
  if (absent !== undefined) return absent
  const listed = commandStdout(zpoolListArgv, list)
  if (!listed.ok) return listed
  const entries = parseZpoolList(listed.value)
  if (entries.length === 0) return ok({ absence: 'no ZFS pool is imported (zpool list shows none)', pools: [] })

  const status = commandStdout(statusArgv, await host.run(statusArgv, { timeoutMs: 30_000 }))
  if (!status.ok) return status
  return ok({ absence: null, pools: buildZfsPools(entries, parseZpoolStatus(status.value)) })
}

/** The na / error verdict when `zpool list` did not answer; undefined when it did. */
function zfsAbsence(list: CommandResult, moduleLoaded: boolean): Evidence<ZfsFacts> | undefined {
  if ('error' in list) {
    if (list.error !== 'ENOENT') return undefined
    return moduleLoaded
      ? missing('the ZFS kernel module is loaded (/proc/spl exists) but the zpool command is not installed (zfsutils-linux / zfs package)')
      : ok({ absence: 'ZFS is not in use: no zpool command and no ZFS kernel module (/proc/spl)', pools: [] })
  }
  const output = `${list.stdout}\n${list.stderr}`
  if (list.exitCode !== 0 && !moduleLoaded && /modules are not loaded|\/dev\/zfs/i.test(output)) {
    return ok({ absence: 'zpool is installed but the ZFS kernel module is not loaded, so no pool is imported', pools: [] })
  }
  return undefined
}

/** Joins `zpool list` rows with their `zpool status` blocks. Pure. */
export function buildZfsPools(entries: readonly ZpoolListEntry[], statuses: readonly ZpoolStatus[]): ZfsPool[] {
  return entries.map((entry) => {
    const status = statuses.find((s) => s.name === entry.name)
    const scan = status?.scan ?? null
    const errors = status?.errors ?? null
    return {
      target: entry.name,
      name: entry.name,
      health: entry.health || status?.state || 'UNKNOWN',
      sizeBytes: entry.sizeBytes,
      allocatedBytes: entry.allocatedBytes,
      freeBytes: entry.freeBytes,
      capacityPercent: entry.capacityPercent,
      status: status?.status ?? null,
      action: status?.action ?? null,
      errors,
      // `zpool status` says exactly this when all data is intact; anything else lists damage.
      dataErrors: errors !== null && errors.trim() !== 'No known data errors',
      devices: status?.devices ?? [],
      scan,
      lastScrubAt: scan?.function === 'scrub' && scan.state === 'finished' ? scan.at : null,
      scrubInProgress: scan?.function === 'scrub' && scan.state === 'in-progress',
      ...(status ? {} : { error: `zpool status did not list pool ${entry.name}` }),
    }
  })
}
