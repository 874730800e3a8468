/**
 * Limits failed sign-ins per account and per client address (OWASP Authentication Cheat
 * Sheet, "Login Throttling"; NIST SP 800-63B §5.2.2 caps consecutive failures at 100 —
 * ours is far lower). A key that reaches `maxFailures` within `windowMs` is locked for
 * `lockMs`. Accounts are keyed by the name typed, whether or not it exists, so a lock
 * never tells an attacker which names are real.
 *
 * The counters live in the database (`LoginCounters`: sqlite-login-counters.ts,
 * pg-login-counters.ts), so a restart forgives nobody and several collectors on one
 * database count the same failures. The arithmetic is pure (`countFailure`), with the
 * clock passed in; each store applies it to a key inside one transaction.
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

/** One key's state; times in milliseconds since the epoch. */
export interface FailureCounter {
  failures: number
  windowStart: number
  lockedUntil: number
}

/** Where the counters are kept: one database for every collector. */
export interface LoginCounters {
  /** The latest lock end among `keys` (0 when none is locked). */
  lockedUntil(keys: readonly string[], now: number): Promise<number>
  /** Applies `countFailure` to `key` atomically, and forgets expired keys (keeping at most `maxKeys`). */
  recordFailure(key: string, policy: LimitPolicy, now: number, maxKeys: number): Promise<void>
  forget(key: string): Promise<void>
}

export type LimitVerdict = { allowed: true } | { allowed: false; retryAfterMs: number }

/** The counter after one more failure at `now`. */
export function countFailure(counter: FailureCounter | null, policy: LimitPolicy, now: number): FailureCounter {
  const next = !counter || now - counter.windowStart >= policy.windowMs ? { failures: 0, windowStart: now, lockedUntil: 0 } : { ...counter }
  next.failures++
  if (next.failures >= policy.maxFailures) {
    next.lockedUntil = now + policy.lockMs
    // A new window starts when the lock ends, so the next failure after it locks again only after more failures.
    next.failures = 0
    next.windowStart = next.lockedUntil
  }
  return next
}

/** When a counter can be forgotten: its window and its lock are both over. */
export function counterExpiry(counter: FailureCounter, policy: LimitPolicy): number {
  return Math.max(counter.lockedUntil, counter.windowStart + policy.windowMs)
}

export class LoginLimiter {
  readonly #policy: LoginLimiterPolicy
  readonly #counters: LoginCounters

  constructor(counters: LoginCounters, policy: LoginLimiterPolicy = defaultLoginLimiterPolicy) {
    this.#counters = counters
    this.#policy = policy
  }

  /** May this account be tried from this address now? Asked before the password is checked. */
  async check(account: string, ip: string, now: number): Promise<LimitVerdict> {
    const until = await this.#counters.lockedUntil([accountKey(account), ipKey(ip)], now)
    return until > now ? { allowed: false, retryAfterMs: until - now } : { allowed: true }
  }

  async recordFailure(account: string, ip: string, now: number): Promise<void> {
    await this.#counters.recordFailure(accountKey(account), this.#policy.account, now, this.#policy.maxKeys)
    await this.#counters.recordFailure(ipKey(ip), this.#policy.ip, now, this.#policy.maxKeys)
  }

  /** A success clears the account's failures; the address keeps its count (one good password must not unlock a spraying client). */
  async recordSuccess(account: string): Promise<void> {
    await this.#counters.forget(accountKey(account))
  }
}

function accountKey(account: string): string {
  return `account:${account.trim().toLowerCase()}`
}

function ipKey(ip: string): string {
  return `ip:${ip}`
}
