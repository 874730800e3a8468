import { describe, expect, it } from 'vitest'
import { auditHash, chainEntry, genesisHash, verifyAuditChain, type AuditEntry, type AuditEvent } from '../../../../collector/audit/audit-chain.js'
import { createHash } from 'node:crypto'

const login: AuditEvent = { actor: 'alice', action: 'login', target: 'user:alice', outcome: 'success', ip: '127.0.0.1', details: { totp: true } }

function chain(n: number): AuditEntry[] {
  const rows: AuditEntry[] = []
  for (let i = 0; i < n; i++) rows.push(chainEntry(rows.at(-1) ?? null, { ...login, details: { i } }, new Date(Date.UTC(2026, 0, 1, 0, 0, i))))
  return rows
}

describe('audit chain', () => {
  it('links the first row to 64 zeros and hashes prevHash + canonical content', () => {
    const [first] = chain(1)
    expect(first!.seq).toBe(1)
    expect(first!.prevHash).toBe(genesisHash)
    const content = '{"action":"login","actor":"alice","at":"2026-01-01T00:00:00.000Z","details":{"i":0},"ip":"127.0.0.1","outcome":"success","seq":1,"target":"user:alice"}'
    expect(first!.hash).toBe(createHash('sha256').update(genesisHash + content).digest('hex'))
  })

  it('verifies an intact chain', () => {
    const rows = chain(5)
    expect(verifyAuditChain(rows)).toEqual({ ok: true, count: 5, lastHash: rows[4]!.hash })
    expect(verifyAuditChain([])).toEqual({ ok: true, count: 0, lastHash: genesisHash })
  })

  it('finds an edited row', () => {
    const rows = chain(5)
    rows[2] = { ...rows[2]!, actor: 'mallory' }
    expect(verifyAuditChain(rows)).toEqual({ ok: false, count: 2, seq: 3, reason: 'hash-mismatch' })
  })

  it('finds an edited row whose hash was recomputed: the next link breaks', () => {
    const rows = chain(5)
    const forged = { ...rows[2]!, outcome: 'failure' as const }
    rows[2] = { ...forged, hash: auditHash(forged.prevHash, forged) }
    expect(verifyAuditChain(rows)).toEqual({ ok: false, count: 3, seq: 4, reason: 'prev-hash-mismatch' })
  })

  it('finds a removed row', () => {
    const rows = chain(5)
    rows.splice(1, 1)
    expect(verifyAuditChain(rows)).toMatchObject({ ok: false, seq: 3, reason: 'sequence-gap' })
  })
})
