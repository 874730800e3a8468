import { describe, expect, it } from 'vitest'
import { TokenBucket } from '../../../../collector/ws/token-bucket.js'

describe('TokenBucket', () => {
  it('allows the burst, then refills at the rate', () => {
    const bucket = new TokenBucket(2, 3, 0)
    expect([1, 2, 3, 4].map(() => bucket.take(0))).toEqual([true, true, true, false])
    expect(bucket.take(499)).toBe(false)
    expect(bucket.take(500)).toBe(true)
    expect(bucket.take(10_000)).toBe(true)
    expect([1, 2, 3].map(() => bucket.take(10_000))).toEqual([true, true, false])
  })
  it('takes amounts (bytes): a chunk larger than what is left is refused and takes nothing', () => {
    const bucket = new TokenBucket(1000, 4000, 0)
    expect(bucket.take(0, 3000)).toBe(true)
    expect(bucket.take(0, 1500)).toBe(false)
    expect(bucket.take(0, 1000)).toBe(true)
    expect(bucket.take(1000, 1000)).toBe(true)
    expect(bucket.take(1000, 1)).toBe(false)
  })
  it('ignores a clock going backwards and refuses nonsense limits', () => {
    const bucket = new TokenBucket(1, 1, 1000)
    expect(bucket.take(1000)).toBe(true)
    expect(bucket.take(0)).toBe(false)
    expect(() => new TokenBucket(0, 1, 0)).toThrow(RangeError)
  })
})
