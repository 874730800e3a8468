import { describe, expect, it } from 'vitest'
import { OverviewCache } from '../../../../../collector/http/routes/overview-cache.js'

describe('OverviewCache', () => {
  it('computes once per change or per maxAge, whatever the number of readers', () => {
    let now = 1000
    let computed = 0
    const cache = new OverviewCache((days: number) => `${days}:${++computed}`, { maxAgeMs: 15_000, now: () => now })
    expect(cache.get(30)).toBe('30:1')
    now += 10
    expect(cache.get(30)).toBe('30:1')
    expect(cache.get(90)).toBe('90:2')
    cache.invalidate()
    now += 1
    expect(cache.get(30)).toBe('30:3')
    expect(cache.get(30)).toBe('30:3')
    now += 15_000
    expect(cache.get(30)).toBe('30:4')
  })

  it('recomputes after a change made in the same millisecond as the last computation', () => {
    const cache = new OverviewCache(((n = 0) => () => ++n)(), { maxAgeMs: 15_000, now: () => 5 })
    expect(cache.get('k')).toBe(1)
    cache.invalidate()
    expect(cache.get('k')).toBe(2)
  })
})
