import type { ScoringPolicy } from '../../rules/scoring.js'
import type { DashboardQueries } from './dashboard-queries.js'
import { prepareCompliance } from './sqlite-compliance.js'
import { prepareExplorer } from './sqlite-explorer.js'
import { prepareOverview } from './sqlite-overview.js'
import type { Db } from './sqlite-open.js'

/** The dashboard's read queries over the SQLite store (each one synchronous underneath). */
export function sqliteDashboardQueries(db: Db, policy: ScoringPolicy): DashboardQueries {
  const overview = prepareOverview(db, policy)
  const explore = prepareExplorer(db)
  const compliance = prepareCompliance(db)
  return {
    overview: async (now, days) => overview(now, days),
    explore: async (filter) => explore(filter),
    compliance: async (framework, catalogue) => compliance(framework, catalogue),
  }
}
