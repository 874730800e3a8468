/** Pure formatting for the dashboard: numbers, ages, dates. No DOM, unit-tested in Node. */

export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? '—' : score.toFixed(score === 100 ? 0 : 1)
}

export function formatPercent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '—' : `${Math.round(ratio * 100)}%`
}

/** "3 min ago", "5 h ago", "12 d ago"; "in 4 d" for the future. */
export function formatAge(iso: string | null | undefined, now: number): string {
  if (!iso) return '—'
  const ms = now - Date.parse(iso)
  const future = ms < 0
  const abs = Math.abs(ms)
  const text =
    abs < 60_000 ? 'just now' : abs < 3_600_000 ? `${Math.floor(abs / 60_000)} min` : abs < 86_400_000 ? `${Math.floor(abs / 3_600_000)} h` : `${Math.floor(abs / 86_400_000)} d`
  if (text === 'just now') return text
  return future ? `in ${text}` : `${text} ago`
}

/** Days from `now` until `iso`, negative when past. */
export function daysUntil(iso: string, now: number): number {
  return Math.floor((Date.parse(iso) - now) / 86_400_000)
}

/** 2026-01-31 14:05 UTC: unambiguous across an ops team's time zones. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`
}

export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
}

/** Evidence as readable text: strings as they are, anything else as indented JSON. */
export function formatEvidence(evidence: unknown): string {
  if (evidence === undefined || evidence === null) return ''
  if (typeof evidence === 'string') return evidence
  return JSON.stringify(evidence, null, 2)
}
