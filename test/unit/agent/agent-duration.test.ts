import { describe, expect, it } from 'vitest'
import { formatDuration, parseDuration } from '../../../agent/agent-duration.js'

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
  ])('%s = %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })
  it.each(['', '10', 'h', '1x', '-5m', '0s', '5 m', '1h 30m'])('refuses %j', (text) => {
    expect(() => parseDuration(text, '--interval')).toThrow(/--interval: .* is not a duration/)
  })
  it('formats back', () => {
    expect([3_600_000, 300_000, 30_000, 1500].map(formatDuration)).toEqual(['1h', '5m', '30s', '1500ms'])
  })
})
