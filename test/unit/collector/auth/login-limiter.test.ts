import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LoginLimiter, type LoginLimiterPolicy } from '../../../../collector/auth/login-limiter.js'
import { SqliteLoginCounters } from '../../../../collector/auth/sqlite-login-counters.js'
import { SqliteStore } from '../../../../collector/store/sqlite-store.js'
import { loadScoringPolicy } from '../../../../rules/load-rules.js'

const policy: LoginLimiterPolicy = {
  account: { maxFailures: 3, windowMs: 60_000, lockMs: 300_000 },
  ip: { maxFailures: 5, windowMs: 60_000, lockMs: 600_000 },
  maxKeys: 100,
}

/** The limiter over its SQLite counters: a fresh database file per test. */
describe('LoginLimiter', () => {
  let dir: string
  let stores: SqliteStore[]
  const open = () => {
    const store = new SqliteStore(join(dir, 'posture.db'), loadScoringPolicy())
    stores.push(store)
    return store
  }
  const limiterOn = (store: SqliteStore, p = policy) => new LoginLimiter(new SqliteLoginCounters(store.db), p)
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'posture-limiter-'))
    stores = []
  })
  afterEach(() => {
    for (const s of stores) s.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('locks an account after maxFailures within the window, for lockMs, whatever the address', async () => {
    const limiter = limiterOn(open())
    for (let i = 0; i < 2; i++) await limiter.recordFailure('alice', `10.0.0.${i}`, 1000 + i)
    expect(await limiter.check('alice', '10.0.0.9', 1500)).toEqual({ allowed: true })
    await limiter.recordFailure('Alice ', '10.0.0.3', 2000)
    expect(await limiter.check('alice', '10.0.0.9', 2001)).toEqual({ allowed: false, retryAfterMs: 299_999 })
    expect(await limiter.check('bob', '10.0.0.9', 2001)).toEqual({ allowed: true })
    expect(await limiter.check('alice', '10.0.0.9', 302_000)).toEqual({ allowed: true })
  })

  it('forgets failures older than the window', async () => {
    const limiter = limiterOn(open())
    await limiter.recordFailure('alice', 'a', 0)
    await limiter.recordFailure('alice', 'b', 1)
    await limiter.recordFailure('alice', 'c', 60_001)
    expect(await limiter.check('alice', 'd', 60_002)).toEqual({ allowed: true })
  })

  it('locks an address spraying many accounts, and a success does not unlock it', async () => {
    const limiter = limiterOn(open())
    for (let i = 0; i < 5; i++) await limiter.recordFailure(`user${i}`, '192.0.2.1', 10 * i)
    await limiter.recordSuccess('user9')
    expect(await limiter.check('user9', '192.0.2.1', 100)).toEqual({ allowed: false, retryAfterMs: 600_000 - 60 })
    expect(await limiter.check('user9', '192.0.2.2', 100)).toEqual({ allowed: true })
  })

  it('treats unknown and real account names alike and clears an account on success', async () => {
    const limiter = limiterOn(open())
    await limiter.recordFailure('alice', 'x', 0)
    await limiter.recordFailure('alice', 'y', 0)
    await limiter.recordSuccess('alice')
    await limiter.recordFailure('alice', 'z', 1)
    expect(await limiter.check('alice', 'w', 2)).toEqual({ allowed: true })
  })

  it('bounds the table: expired keys are deleted, and past maxKeys the soonest to expire go first', async () => {
    const store = open()
    const limiter = limiterOn(store, { ...policy, account: { ...policy.account, maxFailures: 1 }, maxKeys: 4 })
    await limiter.recordFailure('first', 'ip1', 0)
    expect((await limiter.check('first', 'other', 1)).allowed).toBe(false)
    for (let i = 0; i < 4; i++) await limiter.recordFailure(`n${i}`, `ip${i + 2}`, 2)
    expect((await limiter.check('first', 'other', 3)).allowed).toBe(true)
    expect(store.db.prepare('SELECT count(*) AS n FROM login_failures').get()).toEqual({ n: 4 })
    await limiter.recordFailure('late', 'ip9', 10_000_000)
    expect(store.db.prepare('SELECT key FROM login_failures ORDER BY key').all()).toEqual([{ key: 'account:late' }, { key: 'ip:ip9' }])
  })

  it('keeps a lock across a restart, and two collectors on one database count the same failures', async () => {
    const before = limiterOn(open())
    await before.recordFailure('alice', '10.0.0.1', 1000)
    const other = limiterOn(stores[0]!) // a second collector's limiter on the same database
    await other.recordFailure('alice', '10.0.0.2', 1001)
    await before.recordFailure('alice', '10.0.0.3', 1002)
    stores[0]!.close()
    stores = []
    const after = limiterOn(open())
    expect(await after.check('alice', '10.0.0.4', 2000)).toEqual({ allowed: false, retryAfterMs: 299_002 })
  })
})
