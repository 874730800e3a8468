import { openSqliteBackend } from '../store/backend-under-test.js'
import { describeScheduleStoreContract } from './schedule-store-contract.js'

// The schedules contract on SQLite (PostgreSQL: test/integration/pg-backend.test.ts).
describeScheduleStoreContract('SQLite', openSqliteBackend)
