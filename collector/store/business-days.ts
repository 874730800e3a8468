/**
 * Business-day arithmetic for remediation SLAs (rules/scoring.yaml, `sla`). Business days
 * are Monday–Friday in UTC; public holidays differ per country and are not counted out.
 * Pure: dates in, dates out.
 */
const dayMs = 86_400_000

/** `start` plus `days` business days, at the same time of day. A weekend start counts from Monday. */
export function addBusinessDays(start: Date, days: number): Date {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a non-negative integer, got ${days}`)
  let time = start.getTime()
  // Starting on a weekend: the clock starts on the next Monday at the same time.
  while (isWeekend(time)) time += dayMs
  let left = days
  while (left > 0) {
    time += dayMs
    if (!isWeekend(time)) left--
  }
  return new Date(time)
}

export function addCalendarDays(start: Date, days: number): Date {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a non-negative integer, got ${days}`)
  return new Date(start.getTime() + days * dayMs)
}

function isWeekend(time: number): boolean {
  const day = new Date(time).getUTCDay()
  return day === 0 || day === 6
}
