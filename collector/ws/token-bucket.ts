/**
 * A token bucket (RFC 2697's "token bucket" metering, simplified): `ratePerSecond`
 * tokens refill continuously up to `burst`; each message takes one (or each byte, for a byte rate). Pure apart from the
 * `now` it is given, so tests drive the clock.
 */
export class TokenBucket {
  readonly #rate: number
  readonly #burst: number
  #tokens: number
  #last: number

  constructor(ratePerSecond: number, burst: number, nowMs: number) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('a token bucket needs a positive rate and a burst of at least 1')
    this.#rate = ratePerSecond
    this.#burst = burst
    this.#tokens = burst
    this.#last = nowMs
  }

  /** Takes `amount` tokens (a message, or a chunk's bytes); false when too few are left (over the limit). */
  take(nowMs: number, amount = 1): boolean {
    const elapsed = Math.max(0, nowMs - this.#last)
    this.#last = nowMs
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#rate) / 1000)
    if (this.#tokens < amount) return false
    this.#tokens -= amount
    return true
  }
}
