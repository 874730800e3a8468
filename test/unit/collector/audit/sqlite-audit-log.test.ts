import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyAuditChainAsync } from '../../../../collector/audit/audit-chain.js'
import { auditLogSql } from '../../../../collector/audit/audit-schema.js'
import { SqliteAuditLog } from '../../../../collector/audit/sqlite-audit-log.js'

let dir: string
let db: Database.Database

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-audit-'))
  db = new Database(join(dir, 'collector.db'))
  db.exec(auditLogSql)
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('SqliteAuditLog', () => {
  it('appends a verifiable chain and lists newest first', async () => {
    let t = Date.UTC(2026, 0, 1)
    const log = new SqliteAuditLog(db, () => new Date((t += 1000)))
    await log.append({ actor: 'admin', action: 'login', target: 'user:admin', outcome: 'success', ip: '127.0.0.1', details: {} })
    await log.append({ actor: 'eve', action: 'login', target: null, outcome: 'failure', ip: '10.9.9.9', details: { reason: 'bad-password' } })
    await log.append({ actor: 'user:admin', action: 'token.create', target: 'token:ab12', outcome: 'success', ip: null, details: { role: 'auditor' } })

    expect(await verifyAuditChainAsync(log.entries())).toMatchObject({ ok: true, count: 3 })
    const listed = await log.list({ limit: 2 })
    expect(listed.map((e) => [e.seq, e.action, e.outcome])).toEqual([[3, 'token.create', 'success'], [2, 'login', 'failure']])
    expect(listed[1]!.details).toEqual({ reason: 'bad-password' })
    expect((await log.list({ limit: 10, action: 'login', beforeSeq: 2 })).map((e) => e.actor)).toEqual(['admin'])
  })

  it('refuses updates and deletes: the table is append-only', async () => {
    const log = new SqliteAuditLog(db)
    await log.append({ actor: 'admin', action: 'login', target: null, outcome: 'success', ip: null, details: {} })
    expect(() => db.prepare("UPDATE audit_log SET actor = 'x'").run()).toThrow(/append-only/)
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/)
  })

  it('exposes a row rewritten behind its back (triggers dropped)', async () => {
    const log = new SqliteAuditLog(db)
    for (const actor of ['a', 'b', 'c']) await log.append({ actor, action: 'login', target: null, outcome: 'success', ip: null, details: {} })
    db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET outcome = 'failure' WHERE seq = 2")
    expect(await verifyAuditChainAsync(log.entries())).toMatchObject({ ok: false, seq: 2, reason: 'hash-mismatch' })
  })
})
