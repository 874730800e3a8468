import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Waiver } from '../../../../rules/waivers.js'
import type { BackendUnderTest, OpenBackend } from '../store/backend-under-test.js'

/** The waiver store contract, run on SQLite (sqlite-waivers.test.ts) and PostgreSQL (test/integration/pg-backend.test.ts). */
export function describeWaiverStoreContract(backendName: string, open: OpenBackend, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip ?? false)(`waiver store contract: ${backendName}`, () => {
    let subject: BackendUnderTest
    beforeEach(async () => {
      subject = await open()
    })
    afterEach(async () => {
      await subject?.close()
    })
    const waiver = (id: string, extra: Partial<Waiver> = {}): Waiver => ({
      id, rule: 'system.time-synced', justification: 'lab', approver: 'ops', created: '2026-03-01T00:00:00.000Z', expires: '2026-04-01T00:00:00.000Z', ...extra,
    })

    it('stores waivers and moves the version with every change, in the same transaction', async () => {
      const { waivers } = subject.backend
      expect(await waivers.version()).toBe(0)
      await waivers.add(waiver('w-000000000002', { node: 'n1', target: 'web-1:443' }))
      await waivers.add(waiver('w-000000000001', { labels: { env: 'prod' } }))
      expect(await waivers.version()).toBe(2)
      expect((await waivers.list()).map((w) => w.id)).toEqual(['w-000000000001', 'w-000000000002'])
      expect(await waivers.get('w-000000000002')).toEqual(waiver('w-000000000002', { node: 'n1', target: 'web-1:443' }))
      expect(await waivers.get('w-nope')).toBeNull()
      // The collector's Store reads the same rows.
      expect((await subject.backend.store.listWaivers()).map((w) => w.id)).toEqual(['w-000000000001', 'w-000000000002'])
      expect(await waivers.remove('w-000000000001')).toBe(true)
      expect(await waivers.remove('w-000000000001')).toBe(false)
      expect(await waivers.version()).toBe(3)
      await waivers.bump()
      expect(await waivers.version()).toBe(4)
      // A duplicate id is refused and the version stays.
      await expect(waivers.add(waiver('w-000000000002'))).rejects.toThrow()
      expect(await waivers.version()).toBe(4)
    })
  })
}
