import type { Waiver } from '../../rules/waivers.js'

/**
 * When must the collector re-score for waivers? When their version moved (a change by the
 * API or by `posture waiver` in another process), or when a waiver expired since the last
 * look (its findings turn back into failures). Pure: the caller polls and acts.
 */
export function waiversNeedRescore(previous: { version: number; checkedAt: number }, current: { version: number; now: number }, waivers: readonly Waiver[]): { versionChanged: boolean; expired: string[] } {
  const expired = waivers.filter((w) => {
    const at = Date.parse(w.expires)
    return at > previous.checkedAt && at <= current.now
  })
  return { versionChanged: current.version !== previous.version, expired: expired.map((w) => w.id) }
}
