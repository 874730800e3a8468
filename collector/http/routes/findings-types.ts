import type { FleetFinding } from '../../store/store.js'

/** GET /api/findings: one page of the fleet's findings for the explorer. */
export interface FindingsPage {
  items: FleetFinding[]
  /** The offset of the next page, or null at the end. */
  nextOffset: number | null
}

/** The explorer's filters, as query parameters (also accepted by /api/findings.csv). */
export const findingSorts = ['severity', 'age', 'sla'] as const
export type FindingSort = (typeof findingSorts)[number]
