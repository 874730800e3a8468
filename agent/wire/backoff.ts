/**
 * Reconnect delays: exponential with "full jitter" (AWS Architecture Blog, "Exponential
 * Backoff and Jitter", 2015): a uniform draw in [0, min(cap, base × 2^attempt)], so a
 * fleet that lost its collector at once does not come back at once. Pure: `random` is
 * injected (Math.random in production).
 */
export interface BackoffPolicy {
  baseMs: number
  maxMs: number
}

export const defaultBackoff: BackoffPolicy = Object.freeze({ baseMs: 500, maxMs: 60_000 })

export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be a non-negative integer, got ${attempt}`)
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30))
  // Never zero: a floor of base/2 keeps a crash-looping peer from being hammered.
  return Math.max(Math.round(policy.baseMs / 2), Math.round(random() * ceiling))
}

/** A delay of `intervalMs` ± `fraction` (default 10%), for scan schedules. */
export function jitteredIntervalMs(intervalMs: number, random: () => number, fraction = 0.1): number {
  return Math.max(1, Math.round(intervalMs * (1 - fraction + 2 * fraction * random())))
}
