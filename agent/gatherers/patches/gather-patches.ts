import { loadOsEolTable, type OsEolTable } from '../../../rules/data/os-eol.js'
import { readOsRelease } from '../system/read-os-release.js'
import type { OsFacts } from '../../../rules/facts/system.js'
import { errorMessage } from '../../../rules/posture-error.js'
import type { Host } from '../../host/host.js'
import { missing, ok } from '../evidence.js'
import type { Gatherer, GatherContext, GatherResult } from '../gatherer.js'
import { gatherApk } from './gather-apk.js'
import { gatherApt } from './gather-apt.js'
import { gatherDnf } from './gather-dnf.js'
import { assessOsSupport } from './os-support.js'
import { emptyGathered, packageFactKeys, put, type PatchesGathered } from './patch-facts.js'

/**
 * Patch level (issue 4): pending and security updates, reboot, kernel, automatic updates,
 * package index age, OS support. Read-only: nothing is installed, upgraded or refreshed.
 */
export const patchesGatherer: Gatherer = {
  name: 'patches',
  feeds: ['patches'],
  gather: (context) => gatherPatches(context),
}

type PackageManager = 'apt' | 'dnf' | 'apk'

/** Package-manager gatherers by name: a table, not an if-chain. */
const packageManagers: Record<PackageManager, (host: Host) => Promise<PatchesGathered>> = {
  apt: gatherApt,
  dnf: gatherDnf,
  apk: gatherApk,
}

/** os-release ID / ID_LIKE → package manager (host-facts.md 1.1). */
const managerById: Record<string, PackageManager> = {
  debian: 'apt',
  ubuntu: 'apt',
  rhel: 'dnf',
  rocky: 'dnf',
  almalinux: 'dnf',
  centos: 'dnf',
  fedora: 'dnf',
  ol: 'dnf',
  alpine: 'apk',
}

export function packageManagerFor(os: OsFacts): PackageManager | null {
  for (const id of [os.id, ...os.idLike]) {
    const manager = managerById[id]
    if (manager) return manager
  }
  return null
}

export async function gatherPatches({ host }: GatherContext, table: () => OsEolTable = loadOsEolTable): Promise<GatherResult> {
  const os = await readOsRelease(host)
  let out: PatchesGathered
  const manager = os.ok ? packageManagerFor(os.value) : null
  if (!os.ok) out = allMissing(`cannot identify the distribution: ${os.reason}`)
  else if (manager === null) {
    out = allMissing(`unsupported distribution ${os.value.prettyName} (ID=${os.value.id}${os.value.idLike.length ? `, ID_LIKE=${os.value.idLike.join(' ')}` : ''}): Posture reads apt, dnf and apk`)
  } else out = await packageManagers[manager](host)

  put(out, 'osSupport', os.ok ? osSupport(table, os.value) : os)
  return { facts: { patches: out.facts }, errors: out.errors }
}

function osSupport(table: () => OsEolTable, os: OsFacts) {
  try {
    return assessOsSupport(table(), os)
  } catch (err) {
    return missing(`the end-of-life table could not be read: ${errorMessage(err)}`)
  }
}

function allMissing(reason: string): PatchesGathered {
  const out = emptyGathered()
  for (const key of packageFactKeys) put(out, key, missing(reason))
  return out
}

