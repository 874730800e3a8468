import { PostureError } from '../rules/posture-error.js'

const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * `30s`, `5m`, `1h`, `1h30m`, `2d`, `500ms` → milliseconds. A bare number is refused: a
 * unit-less interval is a mistake waiting to happen.
 */
export function parseDuration(text: string, flag = 'duration'): number {
  const trimmed = text.trim()
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy
  let total = 0
  let matched = 0
  for (const match of trimmed.matchAll(pattern)) {
    total += Number(match[1]) * units[match[2]!]!
    matched += match[0].length
  }
  if (trimmed === '' || matched !== trimmed.length || !Number.isFinite(total) || total <= 0) {
    throw new PostureError('BAD_USAGE', `${flag}: "${text}" is not a duration (use e.g. 30s, 5m, 1h, 1h30m)`)
  }
  return Math.round(total)
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}
