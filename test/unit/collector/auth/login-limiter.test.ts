import { describe, expect, it } from 'vitest'
import { LoginLimiter } from '../../../../collector/auth/login-limiter.js'

const policy = {
  account: { maxFailures: 3, windowMs: 60_000, lockMs: 300_000 },
  ip: { maxFailures: 5, windowMs: 60_000, lockMs: 600_000 },
  maxKeys: 100,
}

describe('LoginLimiter', () => {
  it('locks an account after maxFailures within the window, for lockMs, whatever the address', () => {
    const limiter = new LoginLimiter(policy)
    for (let i = 0; i < 2; i++) limiter.recordFailure('alice', `10.0.0.${i}`, 1000 + i)
    expect(limiter.check('alice', '10.0.0.9', 1500)).toEqual({ allowed: true })
    limiter.recordFailure('Alice ', '10.0.0.3', 2000)
    expect(limiter.check('alice', '10.0.0.9', 2001)).toEqual({ allowed: false, retryAfterMs: 299_999 })
    expect(limiter.check('bob', '10.0.0.9', 2001)).toEqual({ allowed: true })
    expect(limiter.check('alice', '10.0.0.9', 302_000)).toEqual({ allowed: true })
  })

  it('forgets failures older than the window', () => {
    const limiter = new LoginLimiter(policy)
    limiter.recordFailure('alice', 'a', 0)
    limiter.recordFailure('alice', 'b', 1)
    limiter.recordFailure('alice', 'c', 60_001)
    expect(limiter.check('alice', 'd', 60_002)).toEqual({ allowed: true })
  })

  it('locks an address spraying many accounts, and a success does not unlock it', () => {
    const limiter = new LoginLimiter(policy)
    for (let i = 0; i < 5; i++) limiter.recordFailure(`user${i}`, '192.0.2.1', 10 * i)
    limiter.recordSuccess('user9')
    expect(limiter.check('user9', '192.0.2.1', 100)).toEqual({ allowed: false, retryAfterMs: 600_000 - 60 })
    expect(limiter.check('user9', '192.0.2.2', 100)).toEqual({ allowed: true })
  })

  it('treats unknown and real account names alike and clears an account on success', () => {
    const limiter = new LoginLimiter(policy)
    limiter.recordFailure('alice', 'x', 0)
    limiter.recordFailure('alice', 'y', 0)
    limiter.recordSuccess('alice')
    limiter.recordFailure('alice', 'z', 1)
    expect(limiter.check('alice', 'w', 2)).toEqual({ allowed: true })
  })

  it('bounds its memory: the oldest keys go first', () => {
    const limiter = new LoginLimiter({ ...policy, account: { ...policy.account, maxFailures: 1 }, maxKeys: 4 })
    limiter.recordFailure('first', 'ip1', 0)
    expect(limiter.check('first', 'other', 1).allowed).toBe(false)
    for (let i = 0; i < 4; i++) limiter.recordFailure(`n${i}`, `ip${i + 2}`, 2)
    expect(limiter.check('first', 'other', 3).allowed).toBe(true)
  })
})
