import { openSqliteBackend } from '../store/backend-under-test.js'
import { describeAccountStoreContract } from './account-store-contract.js'

// The accounts, sessions and API tokens contract on SQLite (PostgreSQL: test/integration/pg-backend.test.ts).
describeAccountStoreContract('SQLite', openSqliteBackend)
