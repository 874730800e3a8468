/**
 * The fleet overview as a read model: computed on the first request after something
 * changed — a report stored, a node re-scored, a node gone silent or back — or after `maxAgeMs` (SLA due
 * dates move with the clock), and served as it is to every other request. However many
 * dashboards are open, a change costs one computation, not one per viewer.
 */
export interface OverviewCacheOptions {
  maxAgeMs: number
  now: () => number
}

export class OverviewCache<K, V> {
  readonly #compute: (key: K) => V
  readonly #options: OverviewCacheOptions
  readonly #entries = new Map<K, { value: V; at: number }>()
  #changedAt = 0

  constructor(compute: (key: K) => V, options: OverviewCacheOptions) {
    this.#compute = compute
    this.#options = options
  }

  /** Something the overview shows has changed. */
  invalidate(): void {
    this.#changedAt = this.#options.now()
  }

  get(key: K): V {
    const now = this.#options.now()
    const entry = this.#entries.get(key)
    const stale = !entry || now - entry.at >= this.#options.maxAgeMs || entry.at <= this.#changedAt
    if (!stale) return entry.value
    const value = this.#compute(key)
    this.#entries.set(key, { value, at: now })
    return value
  }
}
