import { gatherers } from '../../agent/gatherers/registry.js'
import { RecordingHost } from '../../agent/host/recording-host.js'
import { SnapshotHost } from '../../agent/host/snapshot-host.js'
import { defaultScanConfig } from '../../agent/scan-config.js'
import { snapshotSchemaId } from '../../agent/snapshot.js'
import { errorMessage } from '../../rules/posture-error.js'

/**
 * How each domain's facts are gathered, for methods.json: the files, directories, commands
 * and network probes its gatherer reads, found by running the real gatherer code against
 * an empty recorded machine (a snapshot with nothing in it) and recording what it asks
 * for. No I/O reaches a real host. A gatherer that stops early when a first read fails
 * (no /proc/mdstat, no mdadm) lists only its first reads: the list is what it always
 * reads, and the scan's snapshot (`posture gather`) is the full record for one node.
 */
export interface GathererMethod {
  gatherer: string
  domains: string[]
  files: string[]
  dirs: string[]
  commands: string[]
  probes: string[]
  error: string | null
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
      return { gatherer: gatherer.name, domains: [...gatherer.feeds], files: Object.keys(seen.files).sort(), dirs: Object.keys(seen.dirs).sort(), commands: Object.keys(seen.commands).sort(), probes: Object.keys(seen.probes).sort(), error }
    }),
  )
}
