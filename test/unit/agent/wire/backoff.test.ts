import { describe, expect, it } from 'vitest'
import { backoffDelayMs, jitteredIntervalMs } from '../../../../agent/wire/backoff.js'

const policy = { baseMs: 500, maxMs: 60_000 }

describe('backoffDelayMs', () => {
  it('grows exponentially up to the cap at the top of the jitter range', () => {
    expect([0, 1, 2, 3, 10, 40].map((a) => backoffDelayMs(a, policy, () => 1))).toEqual([500, 1000, 2000, 4000, 60_000, 60_000])
  })
  it('draws uniformly below the ceiling, never under half the base', () => {
    expect(backoffDelayMs(4, policy, () => 0.5)).toBe(4000)
    expect(backoffDelayMs(4, policy, () => 0)).toBe(250)
  })
  it('refuses a negative attempt', () => {
    expect(() => backoffDelayMs(-1, policy, Math.random)).toThrow(RangeError)
  })
})

describe('jitteredIntervalMs', () => {
  it('spreads ±10% around the interval', () => {
    expect(jitteredIntervalMs(3_600_000, () => 0)).toBe(3_240_000)
    expect(jitteredIntervalMs(3_600_000, () => 1)).toBe(3_960_000)
    expect(jitteredIntervalMs(3_600_000, () => 0.5)).toBe(3_600_000)
  })
})
