/**
 * A token bucket (RFC 2697's "token bucket" metering, simplified): `ratePerSecond`
 * tokens refill continuously up to `burst`; each message takes one. Pure apart from the
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

  /** Takes one token; false when the bucket is empty (the message is over the limit). */
  take(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.#last)
    this.#last = nowMs
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#rate) / 1000)
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}
