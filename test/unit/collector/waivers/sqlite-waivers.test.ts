import { openSqliteBackend } from '../store/backend-under-test.js'
import { describeWaiverStoreContract } from './waiver-store-contract.js'

// The waiver store contract on SQLite (PostgreSQL: test/integration/pg-backend.test.ts).
describeWaiverStoreContract('SQLite', openSqliteBackend)
