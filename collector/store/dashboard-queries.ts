import type { ComplianceView } from '../http/routes/rules-types.js'
import type { FleetOverview } from '../http/routes/overview-types.js'
import type { ExplorerFilter } from './sqlite-explorer.js'
import type { FleetFinding } from './store.js'

/**
 * The dashboard's read queries (issue 10) on either backend: SQLite's are in
 * sqlite-overview.ts, sqlite-explorer.ts and sqlite-compliance.ts, PostgreSQL's in
 * pg-dashboard-queries.ts. Same filters, same sorts, same answers.
 */
export interface DashboardQueries {
  overview(now: Date, days: number): Promise<FleetOverview>
  explore(filter: ExplorerFilter): Promise<FleetFinding[]>
  /** `catalogue`: the loaded rules' control mappings (stored rule metadata fills in the rest). */
  compliance(framework: string, catalogue: ReadonlyMap<string, Record<string, string[]>>): Promise<ComplianceView>
}
