import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyAuditChainAsync, type AuditEntry } from '../../../../collector/audit/audit-chain.js'
import type { BackendUnderTest, OpenBackend } from '../store/backend-under-test.js'

/** The audit log contract, run on SQLite (sqlite-audit-log.test.ts) and PostgreSQL (test/integration/pg-backend.test.ts). */
export function describeAuditLogContract(backendName: string, open: OpenBackend, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip ?? false)(`audit log contract: ${backendName}`, () => {
    let subject: BackendUnderTest
    let t = Date.UTC(2026, 0, 1)
    beforeEach(async () => {
      t = Date.UTC(2026, 0, 1)
      subject = await open({ clock: () => new Date((t += 1000)) })
    })
    afterEach(async () => {
      await subject?.close()
    })
    const collect = async (rows: AsyncIterable<AuditEntry>) => {
      const out: AuditEntry[] = []
      for await (const row of rows) out.push(row)
      return out
    }

    it('appends a verifiable chain and lists newest first', async () => {
      const log = subject.backend.audit
      await log.append({ actor: 'admin', action: 'login', target: 'user:admin', outcome: 'success', ip: '127.0.0.1', details: {} })
      await log.append({ actor: 'eve', action: 'login', target: null, outcome: 'failure', ip: '10.9.9.9', details: { reason: 'bad-password' } })
      await log.append({ actor: 'user:admin', action: 'token.create', target: 'token:ab12', outcome: 'success', ip: null, details: { role: 'auditor', n: 2, ok: true } })

      expect(await verifyAuditChainAsync(log.entries())).toMatchObject({ ok: true, count: 3 })
      const listed = await log.list({ limit: 2 })
      expect(listed.map((e) => [e.seq, e.action, e.outcome])).toEqual([[3, 'token.create', 'success'], [2, 'login', 'failure']])
      expect(listed[1]!.details).toEqual({ reason: 'bad-password' })
      expect(listed[0]!.details).toEqual({ role: 'auditor', n: 2, ok: true })
      expect((await log.list({ limit: 10, action: 'login', beforeSeq: 2 })).map((e) => e.actor)).toEqual(['admin'])
      expect((await log.list({ limit: 10, actor: 'eve' })).map((e) => e.seq)).toEqual([2])
      // The export's excerpt: rows with `at` in [from, to), oldest first.
      const between = await collect(log.entriesBetween(new Date(Date.UTC(2026, 0, 1, 0, 0, 2)), new Date(Date.UTC(2026, 0, 1, 0, 0, 3))))
      expect(between.map((e) => e.seq)).toEqual([2])
    })

    it('keeps one chain when many appends race (two handles on the same log)', async () => {
      const other = subject.backend.auditWithClock(() => new Date((t += 1000)))
      await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? other : subject.backend.audit).append({ actor: `a${i}`, action: 'login', target: null, outcome: 'success', ip: null, details: { i } })))
      const rows = await collect(subject.backend.audit.entries())
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
      expect(await verifyAuditChainAsync(subject.backend.audit.entries())).toMatchObject({ ok: true, count: 30 })
    })

    it('streams a log longer than one page', async () => {
      for (let i = 0; i < 1005; i++) await subject.backend.audit.append({ actor: 'system', action: 'scan.request', target: null, outcome: 'success', ip: null, details: {} })
      expect(await verifyAuditChainAsync(subject.backend.audit.entries())).toMatchObject({ ok: true, count: 1005 })
    }, 60_000)

    it('refuses updates and deletes: the table is append-only', async () => {
      await subject.backend.audit.append({ actor: 'admin', action: 'login', target: null, outcome: 'success', ip: null, details: {} })
      await expect(subject.sql("UPDATE audit_log SET actor = 'x'")).rejects.toThrow(/append-only/)
      await expect(subject.sql('DELETE FROM audit_log')).rejects.toThrow(/append-only/)
    })

    it('exposes a row rewritten behind its back (triggers dropped)', async () => {
      for (const actor of ['a', 'b', 'c']) await subject.backend.audit.append({ actor, action: 'login', target: null, outcome: 'success', ip: null, details: {} })
      await subject.disableAuditTriggers()
      await subject.sql("UPDATE audit_log SET outcome = 'failure' WHERE seq = 2")
      expect(await verifyAuditChainAsync(subject.backend.audit.entries())).toMatchObject({ ok: false, seq: 2, reason: 'hash-mismatch' })
    })
  })
}
