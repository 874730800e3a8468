/**
 * Limits failed sign-ins per account and per client address (OWASP Authentication Cheat
 * Sheet, "Login Throttling"; NIST SP 800-63B §5.2.2 caps consecutive failures at 100 —
 * ours is far lower). A key that reaches `maxFailures` within `windowMs` is locked for
 * `lockMs`. Accounts are keyed by the name typed, whether or not it exists, so a lock
 * never tells an attacker which names are real. Pure state with an injected clock; the
 * map is bounded so a flood of made-up names cannot exhaust memory.
 */
export interface LimitPolicy {
  maxFailures: number
  windowMs: number
  lockMs: number
}

export interface LoginLimiterPolicy {
  account: LimitPolicy
  ip: LimitPolicy
  /** Most keys tracked at once; the oldest are forgotten first. */
  maxKeys: number
}

export const defaultLoginLimiterPolicy: LoginLimiterPolicy = Object.freeze({
  account: { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  ip: { maxFailures: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  maxKeys: 50_000,
})

interface Counter {
  failures: number
  windowStart: number
  lockedUntil: number
}

export type LimitVerdict = { allowed: true } | { allowed: false; retryAfterMs: number }

export class LoginLimiter {
  readonly #policy: LoginLimiterPolicy
  readonly #counters = new Map<string, Counter>()

  constructor(policy: LoginLimiterPolicy = defaultLoginLimiterPolicy) {
    this.#policy = policy
  }

  /** May this account be tried from this address now? Asked before the password is checked. */
  check(account: string, ip: string, now: number): LimitVerdict {
    const until = Math.max(this.#lockedUntil(accountKey(account), now), this.#lockedUntil(ipKey(ip), now))
    return until > now ? { allowed: false, retryAfterMs: until - now } : { allowed: true }
  }

  recordFailure(account: string, ip: string, now: number): void {
    this.#fail(accountKey(account), this.#policy.account, now)
    this.#fail(ipKey(ip), this.#policy.ip, now)
  }

  /** A success clears the account's failures; the address keeps its count (one good password must not unlock a spraying client). */
  recordSuccess(account: string): void {
    this.#counters.delete(accountKey(account))
  }

  #lockedUntil(key: string, now: number): number {
    const counter = this.#counters.get(key)
    return counter && counter.lockedUntil > now ? counter.lockedUntil : 0
  }

  #fail(key: string, policy: LimitPolicy, now: number): void {
    let counter = this.#counters.get(key)
    if (!counter || now - counter.windowStart >= policy.windowMs) counter = { failures: 0, windowStart: now, lockedUntil: 0 }
    counter.failures++
    if (counter.failures >= policy.maxFailures) {
      counter.lockedUntil = now + policy.lockMs
      // A new window starts when the lock ends, so the next failure after it locks again only after more failures.
      counter.failures = 0
      counter.windowStart = counter.lockedUntil
    }
    this.#counters.delete(key) // re-insert: Map order is insertion order, oldest first
    this.#counters.set(key, counter)
    while (this.#counters.size > this.#policy.maxKeys) {
      const oldest = this.#counters.keys().next().value
      if (oldest === undefined) break
      this.#counters.delete(oldest)
    }
  }
}

function accountKey(account: string): string {
  return `account:${account.trim().toLowerCase()}`
}

function ipKey(ip: string): string {
  return `ip:${ip}`
}
