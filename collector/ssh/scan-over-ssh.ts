import { RecordingHost } from '../../agent/host/recording-host.js'
import { hostKeyId, type PinnedHostKey } from '../../agent/host/known-hosts.js'
import { SshHost, type SshConnectOptions } from '../../agent/host/ssh-host.js'
import { scanHost, type ScanOptions } from '../../agent/scan.js'
import type { Report } from '../../rules/report.js'

/**
 * One agentless scan: connect (host key checked against the pins, pinned on first use),
 * run the same gatherers as `posture scan` through SshHost, evaluate, disconnect. Used by
 * `posture ssh-scan` (pins in a JSON file) and the collector's schedules (pins in the store).
 */
export interface HostKeyPins {
  get(id: string): Promise<PinnedHostKey | undefined>
  /** Records a first-seen key. Never replaces an existing pin. */
  pin(id: string, key: PinnedHostKey): Promise<void>
}

export interface SshScanRequest extends Omit<SshConnectOptions, 'pinned'> {
  scan: ScanOptions
  pins: HostKeyPins
  /** Also record everything read, for `--save-snapshot`. */
  recorder?: (host: SshHost) => RecordingHost
}

export interface SshScanResult {
  report: Report
  /** The key pinned by this scan (trust on first use), or null when it was already pinned. */
  newPin: PinnedHostKey | null
  recorder: RecordingHost | null
}

export async function scanOverSsh(request: SshScanRequest): Promise<SshScanResult> {
  const { target, pins, scan, recorder: record, ...connect } = request
  const id = hostKeyId(target.host, target.port)
  const pinned = await pins.get(id)
  const host = await SshHost.connect({ ...connect, target, ...(pinned ? { pinned } : {}) })
  try {
    let newPin: PinnedHostKey | null = null
    if (host.hostKey.status === 'new') {
      newPin = { ...host.hostKey.presented, firstSeen: (scan.clock ?? (() => new Date()))().toISOString() }
      await pins.pin(id, newPin)
    }
    const recorder = record ? record(host) : null
    const report = await scanHost(recorder ?? host, scan)
    return { report, newPin, recorder }
  } finally {
    await host.close()
  }
}
