import { gatherers } from '../../agent/gatherers/registry.js'
import { RecordingHost } from '../../agent/host/recording-host.js'
import { SnapshotHost } from '../../agent/host/snapshot-host.js'
import { defaultScanConfig } from '../../agent/scan-config.js'
import { snapshotSchemaId } from '../../agent/snapshot.js'
import { errorMessage } from '../../rules/posture-error.js'
import type { GathererReads } from '../../rules/report.js'

/**
 * How each domain's facts are gathered, for methods.json: the files, directories, commands
 * and network probes its gatherer reads. Two sources, the better first:
 * - recorded: every scan's report carries what each gatherer read on its node (agent/scan.ts
 *   records it through a RecordingHost per gatherer); the export joins the reads of every
 *   scan in its window (`mergeGathererReads`), so methods.json lists each command run and
 *   file read that produced the archive's findings;
 * - probed: for scans from agents too old to report their reads, the real gatherer code run
 *   against an empty recorded machine (a snapshot with nothing in it) shows what it asks
 *   for first. No I/O reaches a real host. A gatherer that stops early when a first read
 *   fails (no /proc/mdstat, no mdadm) lists only those first reads: `recorded: false`.
 */
export interface GathererMethod {
  gatherer: string
  domains: string[]
  files: string[]
  dirs: string[]
  commands: string[]
  probes: string[]
  error: string | null
  /** True when the lists are what the window's scans read; false for the empty-machine probe. */
  recorded: boolean
}

export async function gathererMethods(now: Date): Promise<GathererMethod[]> {
  const empty = { schema: snapshotSchemaId, postureVersion: '0', host: { description: 'methods' }, gatheredAt: now.toISOString(), domains: [], files: {}, dirs: {}, commands: {}, probes: {} }
  return Promise.all(
    gatherers.map(async (gatherer): Promise<GathererMethod> => {
      const host = new RecordingHost(new SnapshotHost(empty as never, 'methods'))
      let error: string | null = null
      try {
        await gatherer.gather({ host, now, config: defaultScanConfig })
      } catch (err) {
        error = errorMessage(err)
      }
      const seen = host.recorded()
      return { gatherer: gatherer.name, domains: [...gatherer.feeds], files: Object.keys(seen.files).sort(), dirs: Object.keys(seen.dirs).sort(), commands: Object.keys(seen.commands).sort(), probes: Object.keys(seen.probes).sort(), error, recorded: false }
    }),
  )
}

/**
 * The probed methods with every recorded read set of the window folded in: a gatherer that
 * some scan recorded lists the union of what all those scans read (and `recorded: true`);
 * one that no scan recorded keeps its probed first reads. Pure; sorted lists.
 */
export function mergeGathererReads(probed: readonly GathererMethod[], recorded: readonly (readonly GathererReads[])[]): GathererMethod[] {
  const union = new Map<string, { files: Set<string>; dirs: Set<string>; commands: Set<string>; probes: Set<string> }>()
  for (const set of recorded) {
    for (const r of set) {
      const u = union.get(r.gatherer) ?? { files: new Set<string>(), dirs: new Set<string>(), commands: new Set<string>(), probes: new Set<string>() }
      for (const key of ['files', 'dirs', 'commands', 'probes'] as const) for (const item of r[key]) u[key].add(item)
      union.set(r.gatherer, u)
    }
  }
  const sorted = (items: Set<string>) => [...items].sort()
  const merged = probed.map((m): GathererMethod => {
    const u = union.get(m.gatherer)
    return u ? { ...m, files: sorted(u.files), dirs: sorted(u.dirs), commands: sorted(u.commands), probes: sorted(u.probes), error: null, recorded: true } : m
  })
  // A gatherer the scans recorded that this collector does not know (a newer agent): listed too.
  for (const [gatherer, u] of union) {
    if (!probed.some((m) => m.gatherer === gatherer)) merged.push({ gatherer, domains: [], files: sorted(u.files), dirs: sorted(u.dirs), commands: sorted(u.commands), probes: sorted(u.probes), error: null, recorded: true })
  }
  return merged
}
