import { z } from 'zod'

/** Finding severities, most severe first. */
export const severities = ['critical', 'high', 'medium', 'low', 'info'] as const
export const severitySchema = z.enum(severities)
export type Severity = z.infer<typeof severitySchema>

/** 0 for critical … 4 for info: smaller is more severe. */
export function severityRank(severity: Severity): number {
  return severities.indexOf(severity)
}

/** True when `severity` is `threshold` or more severe. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) <= severityRank(threshold)
}
