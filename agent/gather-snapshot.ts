import type { Domain } from '../rules/domains.js'
import type { Host } from './host/host.js'
import { RecordingHost } from './host/recording-host.js'
import type { ScanConfig } from './scan-config.js'
import { gatherFacts } from './scan.js'
import { snapshotSchemaId, type Snapshot } from './snapshot.js'
import { postureVersion } from './version.js'

/** Runs the gatherers against `host` and returns everything they read, as a snapshot. */
export async function gatherSnapshot(host: Host, domains: readonly Domain[], config: ScanConfig, now: Date): Promise<Snapshot> {
  const recorder = new RecordingHost(host)
  await gatherFacts(recorder, domains, config, now)
  return snapshotFrom(recorder, domains, now)
}

/** The snapshot of what a recording host has read so far. */
export function snapshotFrom(recorder: RecordingHost, domains: readonly Domain[], gatheredAt: Date): Snapshot {
  return {
    schema: snapshotSchemaId,
    postureVersion: postureVersion(),
    host: { description: recorder.description },
    gatheredAt: gatheredAt.toISOString(),
    domains: [...domains],
    ...recorder.recorded(),
  }
}
