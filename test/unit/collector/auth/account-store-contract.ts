import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BackendUnderTest, OpenBackend } from '../store/backend-under-test.js'

/** The accounts, sessions and API tokens contract, run on SQLite (sqlite-accounts.test.ts) and PostgreSQL (test/integration/pg-backend.test.ts). */
export function describeAccountStoreContract(backendName: string, open: OpenBackend, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip ?? false)(`account store contract: ${backendName}`, () => {
    let subject: BackendUnderTest
    beforeEach(async () => {
      subject = await open()
    })
    afterEach(async () => {
      await subject?.close()
    })
    const at = '2026-03-02T10:00:00.000Z'

    it('creates, finds, lists and changes accounts; counts active admins', async () => {
      const { accounts } = subject.backend
      const id = await accounts.create({ username: 'alice', role: 'admin', passwordHash: 'h1', mustChangePassword: true, createdAt: at })
      const bob = await accounts.create({ username: 'bob', role: 'auditor', passwordHash: 'h2', mustChangePassword: false, createdAt: at })
      expect(await accounts.findByUsername('alice')).toEqual({ id, username: 'alice', role: 'admin', passwordHash: 'h1', mustChangePassword: true, totpSecret: null, totpLastStep: null, createdAt: at, disabledAt: null })
      expect((await accounts.findById(bob))?.username).toBe('bob')
      expect(await accounts.findByUsername('carol')).toBeNull()
      expect((await accounts.list()).map((a) => a.username)).toEqual(['alice', 'bob'])
      await expect(accounts.create({ username: 'alice', role: 'admin', passwordHash: 'x', mustChangePassword: true, createdAt: at })).rejects.toThrow()
      expect(await accounts.activeAdminCount()).toBe(1)
      await accounts.setRole(bob, 'admin')
      expect(await accounts.activeAdminCount()).toBe(2)
      await accounts.setDisabled(bob, at)
      expect(await accounts.activeAdminCount()).toBe(1)
      await accounts.setPassword(id, 'h3', false)
      expect(await accounts.findById(id)).toMatchObject({ passwordHash: 'h3', mustChangePassword: false })
      // The Store's view of users is the same table.
      expect((await subject.backend.store.findUser('alice'))?.id).toBe(id)
    })

    it('enrols TOTP once per step (replays refused) and spends each recovery code once', async () => {
      const { accounts } = subject.backend
      const id = await accounts.create({ username: 'alice', role: 'operator', passwordHash: 'h', mustChangePassword: false, createdAt: at })
      await accounts.enableTotp(id, 'SECRET', 100, ['c1', 'c2'])
      expect(await accounts.findById(id)).toMatchObject({ totpSecret: 'SECRET', totpLastStep: 100 })
      expect(await accounts.useTotpStep(id, 100)).toBe(false)
      const raced = await Promise.all([accounts.useTotpStep(id, 101), accounts.useTotpStep(id, 101)])
      expect(raced.filter(Boolean)).toHaveLength(1)
      expect((await accounts.unusedRecoveryCodes(id)).sort()).toEqual(['c1', 'c2'])
      expect(await accounts.useRecoveryCode(id, 'c1', at)).toBe(true)
      expect(await accounts.useRecoveryCode(id, 'c1', at)).toBe(false)
      expect(await accounts.unusedRecoveryCodes(id)).toEqual(['c2'])
      // Re-enrolling replaces the codes.
      await accounts.enableTotp(id, 'SECRET2', 200, ['c3'])
      expect(await accounts.unusedRecoveryCodes(id)).toEqual(['c3'])
    })

    it('keeps sessions: touch, pending TOTP, per-user and age-based deletion', async () => {
      const { accounts } = subject.backend
      const id = await accounts.create({ username: 'alice', role: 'operator', passwordHash: 'h', mustChangePassword: false, createdAt: at })
      const session = { idHash: 's1', userId: id, csrfToken: 'csrf', createdAt: at, lastSeen: at, ip: '127.0.0.1', totpPending: null }
      await accounts.createSession(session)
      await accounts.createSession({ ...session, idHash: 's2', ip: null })
      expect(await accounts.findSession('s1')).toEqual(session)
      await accounts.touchSession('s1', '2026-03-02T11:00:00.000Z')
      await accounts.setTotpPending('s1', 'PENDING')
      expect(await accounts.findSession('s1')).toMatchObject({ lastSeen: '2026-03-02T11:00:00.000Z', totpPending: 'PENDING' })
      await accounts.deleteUserSessions(id, 's1')
      expect(await accounts.findSession('s2')).toBeNull()
      expect(await accounts.deleteSessionsBefore('2026-03-02T12:00:00.000Z', '2026-01-01T00:00:00.000Z')).toBe(1)
      expect(await accounts.findSession('s1')).toBeNull()
      await accounts.createSession({ ...session, idHash: 's3' })
      await accounts.deleteSession('s3')
      expect(await accounts.findSession('s3')).toBeNull()
    })

    it('keeps API tokens: newest first, revoked once, last use noted', async () => {
      const { apiTokens } = subject.backend
      await apiTokens.create({ id: 't1', secretHash: 'x1', role: 'auditor', name: 'ci', createdAt: '2026-03-01T00:00:00.000Z' })
      await apiTokens.create({ id: 't2', secretHash: 'x2', role: 'admin', name: 'ops', createdAt: '2026-03-02T00:00:00.000Z' })
      expect((await apiTokens.list()).map((t) => t.id)).toEqual(['t2', 't1'])
      expect(await apiTokens.find('t1')).toEqual({ id: 't1', secretHash: 'x1', role: 'auditor', name: 'ci', createdAt: '2026-03-01T00:00:00.000Z', revokedAt: null, lastUsed: null })
      await apiTokens.touch('t1', at)
      expect(await apiTokens.revoke('t1', at)).toBe(true)
      expect(await apiTokens.revoke('t1', at)).toBe(false)
      expect(await apiTokens.find('t1')).toMatchObject({ revokedAt: at, lastUsed: at })
      // The Store's view of tokens is the same table.
      expect((await subject.backend.store.findApiToken('t2'))?.role).toBe('admin')
      expect(await apiTokens.find('nope')).toBeNull()
    })
  })
}
