import { openSqliteBackend } from './backend-under-test.js'
import { describeDashboardQueriesContract } from './dashboard-queries-contract.js'

// The dashboard queries contract on SQLite (PostgreSQL: test/integration/pg-backend.test.ts).
describeDashboardQueriesContract('SQLite', openSqliteBackend)
