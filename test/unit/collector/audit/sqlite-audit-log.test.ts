import { openSqliteBackend } from '../store/backend-under-test.js'
import { describeAuditLogContract } from './audit-log-contract.js'

// The audit log contract on SQLite (PostgreSQL: test/integration/pg-backend.test.ts).
describeAuditLogContract('SQLite', openSqliteBackend)
