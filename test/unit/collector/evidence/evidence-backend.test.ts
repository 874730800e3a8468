import { openSqliteBackend } from '../store/backend-under-test.js'
import { describeEvidenceBackendContract } from './evidence-backend-contract.js'

// The evidence contract on SQLite (PostgreSQL: test/integration/pg-backend.test.ts).
describeEvidenceBackendContract('SQLite', openSqliteBackend)
