import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { resolveCollectorConfig } from '../../collector/collector-config.js'
import { openCollectorStore, type OpenedStore } from '../../collector/store/open-store.js'
import { openPgStore } from '../../collector/store/pg/pg-store.js'
import { SqliteStore } from '../../collector/store/sqlite-store.js'
import { loadScoringPolicy } from '../../rules/load-rules.js'
import { runPosture } from '../helpers/cli.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'

// Choosing the backend: `database:` / --database picks PostgreSQL, else SQLite in the data directory.
const hasPg = canRunPostgres()

describe('collector database setting', () => {
  it('accepts postgres:// and postgresql:// URLs and nothing else', () => {
    expect(resolveCollectorConfig({ database: 'postgres://posture@db:5432/posture' }, {}, '/').database).toBe('postgres://posture@db:5432/posture')
    expect(resolveCollectorConfig({}, { database: 'postgresql://db/posture?sslmode=verify-full' }, '/').database).toBe('postgresql://db/posture?sslmode=verify-full')
    expect(resolveCollectorConfig({}, {}, '/').database).toBeUndefined()
    expect(() => resolveCollectorConfig({ database: 'mysql://db/posture' }, {}, '/')).toThrow(/database: expected a postgres:\/\/ or postgresql:\/\/ URL/)
    expect(resolveCollectorConfig({}, {}, '/').store).toMatchObject({ maxConnections: 10, statementTimeoutMs: 30_000 })
  })

  it('opens SQLite in the data directory without one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posture-open-store-'))
    try {
      const opened = await openCollectorStore(resolveCollectorConfig({}, { dataDir: dir }, '/'), loadScoringPolicy())
      expect(opened.kind).toBe('sqlite')
      expect(opened.store).toBeInstanceOf(SqliteStore)
      opened.store.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe.skipIf(!hasPg)('collector on PostgreSQL', () => {
  let server: TestPostgres
  let opened: OpenedStore | undefined
  beforeAll(async () => {
    server = await startPostgres()
  }, 120_000)
  afterEach(async () => {
    if (opened?.kind === 'postgres') await opened.store.end()
    opened = undefined
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('opens a migrated PgStore from the database setting, with the pool settings', async () => {
    const config = resolveCollectorConfig({ database: await server.createDatabase(), store: { maxConnections: 3, statementTimeoutMs: 1500 } }, { dataDir: '/nonexistent' }, '/')
    opened = await openCollectorStore(config, loadScoringPolicy())
    expect(opened.kind).toBe('postgres')
    if (opened.kind !== 'postgres') return
    expect(opened.store.pool.options.max).toBe(3)
    const { rows } = await opened.store.pool.query<{ timeout: string; app: string; version: number }>(
      "SELECT current_setting('statement_timeout') AS timeout, current_setting('application_name') AS app, (SELECT max(version) FROM schema_migrations) AS version",
    )
    expect(rows[0]).toMatchObject({ timeout: '1500ms', app: 'posture-collector' })
    expect(rows[0]!.version).toBeGreaterThanOrEqual(5)
    // The statement timeout is enforced by the server.
    await expect(opened.store.pool.query('SELECT pg_sleep(3)')).rejects.toThrow(/statement timeout/)
  })

  it('runs the admin commands against the database with --database', async () => {
    const url = await server.createDatabase()
    const issued = await runPosture(['collector', 'api-token', '--role', 'auditor', '--name', 'ci', '--database', url])
    expect(issued.stderr).toContain('API token with role auditor')
    expect(issued.code).toBe(0)
    const [, id] = issued.stdout.trim().split('.')
    const store = await openPgStore(url, loadScoringPolicy())
    try {
      expect(await store.findApiToken(id!)).toMatchObject({ id, name: 'ci', role: 'auditor', revokedAt: null })
    } finally {
      await store.end()
    }
    const agents = await runPosture(['collector', 'agents', '--database', url])
    expect(agents).toMatchObject({ code: 0, stdout: '' })
    const bad = await runPosture(['collector', 'agents', '--database', 'mysql://x/y'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/database: expected a postgres:\/\//)
  }, 180_000)
})
