import { openSqliteBackend } from '../store/backend-under-test.js'
import { describeAlertStoreContract } from './alert-store-contract.js'

// The alert store contract on SQLite (PostgreSQL: test/integration/pg-backend.test.ts).
describeAlertStoreContract('SQLite', openSqliteBackend)
