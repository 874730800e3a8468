import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Agent } from '../../agent/agent-runtime.js'
import type { Collector } from '../../collector/build-collector.js'
import { PgStore } from '../../collector/store/pg/pg-store.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'
import { eventCount, fakeAgent, joinAgent, startCollector } from './collector-fixtures.js'

// One collector on PostgreSQL (`database` set), end to end: enrollment, a report stored, read back
// through the API's store. Several collectors: multi-collector.test.ts.
const hasPg = canRunPostgres()

describe.skipIf(!hasPg)('collector on PostgreSQL', () => {
  let server: TestPostgres
  let dir: string
  let collector: Collector | undefined
  let agent: Agent | undefined
  beforeAll(async () => {
    server = await startPostgres()
  }, 120_000)
  afterEach(async () => {
    await agent?.stop()
    await collector?.close()
    agent = undefined
    collector = undefined
    rmSync(dir, { recursive: true, force: true })
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('enrolls an agent and stores its report in PostgreSQL, with only the TLS identity and lock in --data', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-pg-collector-'))
    const url = await server.createDatabase()
    collector = await startCollector(join(dir, 'data'), { database: url })
    expect(collector.backend.kind).toBe('postgres')
    expect(collector.backend.store).toBeInstanceOf(PgStore)
    expect(() => collector!.store).toThrow(/runs on PostgreSQL/)
    await expect(collector.backup()).rejects.toMatchObject({ code: 'BAD_USAGE', message: expect.stringContaining('pg_dump') })
    const state = await joinAgent(collector, join(dir, 'agent'), { env: 'pg' })
    const stored = eventCount(collector.events, 'report', 1)
    agent = fakeAgent(join(dir, 'agent'), state, { hostname: 'pg-node-1', synchronized: false })
    await agent.start()
    await stored
    const nodes = await collector.backend.store.listNodes()
    expect(nodes.map((n) => [n.hostname, n.labels])).toEqual([['pg-node-1', { env: 'pg' }]])
    const findings = await collector.backend.store.nodeFindings(nodes[0]!.id, { rule: 'system.time-synced', limit: 5, offset: 0 })
    expect(findings.map((f) => [f.status, f.lifecycle.state])).toEqual([['fail', 'open']])
    // The data lives in the database, not in the data directory.
    const pgStore = collector.backend.store
    if (!(pgStore instanceof PgStore)) throw new Error('expected a PgStore')
    const { rows } = await pgStore.pool.query<{ n: number }>('SELECT count(*) AS n FROM scans')
    expect(rows[0]!.n).toBe(1)
    expect(readdirSync(join(dir, 'data'))).not.toContain('posture.db')
  }, 120_000)
})

