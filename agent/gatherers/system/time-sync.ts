import type { TimeSyncFacts } from '../../../rules/facts/system.js'
import { parseKeyValues } from './os-release.js'

/**
 * `timedatectl show` (systemd ≥ 239) prints `NTP=yes|no` (a time-sync service is enabled)
 * and `NTPSynchronized=yes|no` (the kernel reports the clock synchronised, see
 * timedatectl(1)). Null when neither property is there.
 */
export function parseTimedatectlShow(text: string): TimeSyncFacts | null {
  const fields = parseKeyValues(text)
  const synchronized = fields.get('NTPSynchronized')
  if (synchronized === undefined) return null
  const ntp = fields.get('NTP')
  return {
    source: 'timedatectl',
    synchronized: synchronized === 'yes',
    ntpEnabled: ntp === undefined ? null : ntp === 'yes',
  }
}

/**
 * `chronyc -n tracking`: `Leap status : Normal` means chronyd is synchronised;
 * `Not synchronised` means it is not (chronyc(1), "tracking"). Null when the output has
 * no leap status line.
 */
export function parseChronycTracking(text: string): TimeSyncFacts | null {
  const match = /^Leap status\s*:\s*(.+)$/m.exec(text)
  if (!match) return null
  const leap = match[1]!.trim()
  return { source: 'chronyc', synchronized: leap !== 'Not synchronised', ntpEnabled: true }
}
