import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'

const hasPg = canRunPostgres()

describe.skipIf(!hasPg)('test PostgreSQL server', () => {
  let server: TestPostgres
  beforeAll(async () => {
    server = await startPostgres()
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
  })

  it('creates separate, empty databases on a loopback port', async () => {
    const first = await server.createDatabase()
    const second = await server.createDatabase()
    expect(first).not.toBe(second)
    expect(first).toMatch(/^postgres:\/\/posture@127\.0\.0\.1:\d+\/test_/)
    const client = new pg.Client({ connectionString: first })
    await client.connect()
    try {
      await client.query('CREATE TABLE t (x int)')
      const { rows } = await client.query<{ db: string; v: string }>('SELECT current_database() AS db, current_setting(\'server_version_num\') AS v')
      expect(first.endsWith(`/${rows[0]!.db}`)).toBe(true)
      expect(Number(rows[0]!.v)).toBeGreaterThanOrEqual(130000)
    } finally {
      await client.end()
    }
    const other = new pg.Client({ connectionString: second })
    await other.connect()
    try {
      const { rows } = await other.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't'")
      expect(rows[0].n).toBe(0)
    } finally {
      await other.end()
    }
  })
})
