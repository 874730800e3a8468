import { openAdminBackendFor } from '../collector/collector-admin.js'
import { resolveCollectorConfig } from '../collector/collector-config.js'
import type { Backend } from '../collector/store/backend.js'
import type { CliIO } from './command.js'

/** The collector's backend for an admin command: `--database URL` (PostgreSQL), else SQLite in `--data DIR`. */
export async function openCliBackend(values: { data?: string | undefined; database?: string | undefined }, io: CliIO, clock?: () => Date): Promise<Backend> {
  const config = resolveCollectorConfig(
    {},
    { ...(values.data !== undefined ? { dataDir: values.data } : {}), ...(values.database !== undefined ? { database: values.database } : {}) },
    io.cwd,
  )
  return openAdminBackendFor({ dataDir: config.dataDir, database: config.database, ...(clock ? { clock } : {}) })
}
