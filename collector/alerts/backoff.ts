/**
 * Exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): attempt n waits a random time in [base·2^(n-1)/2, base·2^(n-1)], capped, so a
 * fleet of destinations that failed together does not retry together. Pure: `random` in.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + (ceiling / 2) * random)
}
