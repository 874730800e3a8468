/**
 * Is a node online? Its agent is connected, and it has reported (or connected) within
 * `missedIntervals` scan intervals — an agent that is connected but no longer reports is
 * as silent as one that is gone. Pure.
 */
export interface LivenessInput {
  connected: boolean
  /** When the connection was opened, if connected. */
  connectedAt: number | null
  lastReportAt: number | null
  intervalMs: number | null
}

export function isOnline(node: LivenessInput, now: number, missedIntervals: number, defaultIntervalMs = 3_600_000): boolean {
  if (!node.connected) return false
  const allowance = missedIntervals * (node.intervalMs ?? defaultIntervalMs)
  const lastSign = Math.max(node.lastReportAt ?? 0, node.connectedAt ?? 0)
  return now - lastSign <= allowance
}

/** True when `version` is older than `current` (dotted numeric versions; pre-release tags ignored). */
export function isOutdated(version: string | null, current: string): boolean {
  if (version === null) return false
  const parts = (v: string) => v.split('-')[0]!.split('.').map((n) => Number.parseInt(n, 10) || 0)
  const a = parts(version)
  const b = parts(current)
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d < 0
  }
  return false
}
