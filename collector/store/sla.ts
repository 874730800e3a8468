import type { ScoringPolicy } from '../../rules/scoring.js'
import type { Severity } from '../../rules/severity.js'
import { addBusinessDays, addCalendarDays } from './business-days.js'

/** When an open failure of `severity` that started failing at `since` is due; null: no SLA. */
export function slaDueDate(since: Date, severity: Severity, policy: ScoringPolicy): Date | null {
  const sla = policy.sla[severity]
  if (!sla) return null
  return 'businessDays' in sla ? addBusinessDays(since, sla.businessDays) : addCalendarDays(since, sla.days)
}
