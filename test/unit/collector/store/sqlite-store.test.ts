import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../../../../collector/store/sqlite-store.js'
import { migrations } from '../../../../collector/store/migrations.js'
import { loadRuleSet, type RuleSet } from '../../../../rules/load-rules.js'
import type { Report } from '../../../../rules/report.js'
import type { IngestItem } from '../../../../collector/store/store.js'
import { fakeReport } from '../../../integration/collector-fixtures.js'
import { describeStoreContract } from './store-contract.js'

// The Store contract, on a fresh SQLite file per test (PostgreSQL: test/integration/pg-store.test.ts).
describeStoreContract('SqliteStore', async (policy) => {
  const dir = mkdtempSync(join(tmpdir(), 'posture-store-'))
  const store = new SqliteStore(join(dir, 'posture.db'), policy)
  return {
    store,
    countRows: async (table) => (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
    close: async () => {
      store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

let ruleSet: RuleSet
let dir: string
let store: SqliteStore

beforeAll(() => {
  ruleSet = loadRuleSet()
})
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-store-'))
  store = new SqliteStore(join(dir, 'posture.db'), ruleSet.scoring)
})
afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

function item(report: Report, receivedAt = new Date(report.finishedAt)): IngestItem {
  return { kind: 'scan', agentId: null, seq: 0, report, agentRulesVersion: null, scoredWith: `${ruleSet.version}|0`, receivedAt, labels: { env: 'test' }, agentVersion: '0.1.0' }
}

describe('SqliteStore', () => {
  it('migrates a fresh database to the latest user_version with WAL and foreign keys', () => {
    expect(store.db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version)
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1)
  })

  it('numbers scans from 1', async () => {
    const report = await fakeReport(ruleSet, { hostname: 'web-1' }, new Date('2026-03-02T10:00:00Z'))
    expect(await store.ingest([item(report)])).toEqual([{ status: 'stored', scanPk: 1 }])
  })

  it('makes an online backup that opens as a database with the same rows', async () => {
    await store.ingest([item(await fakeReport(ruleSet, { hostname: 'b1' }, new Date('2026-03-05T00:00:00Z')))])
    const copy = join(dir, 'backup.db')
    await store.backup(copy)
    const restored = new SqliteStore(copy, ruleSet.scoring)
    expect((await restored.listNodes()).map((n) => n.hostname)).toEqual(['b1'])
    restored.close()
  })
})
