import { openSqliteBackend } from '../store/backend-under-test.js'
import { describeSshNodeStoreContract } from './ssh-node-store-contract.js'

// The SSH nodes contract on SQLite (PostgreSQL: test/integration/pg-backend.test.ts).
describeSshNodeStoreContract('SQLite', openSqliteBackend)
