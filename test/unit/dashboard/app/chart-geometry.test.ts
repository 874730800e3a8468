import { describe, expect, it } from 'vitest'
import { dayRange, linePath, yOf, type Plot } from '../../../../dashboard/app/chart-geometry.js'

const plot: Plot = { width: 100, height: 100, padLeft: 0, padRight: 0, padTop: 0, padBottom: 0 }

describe('chart geometry', () => {
  it('draws a path through the values, 100 at the top', () => {
    expect(linePath([100, 50, 0], plot)).toBe('M0,0L50,50L100,100')
  })

  it('leaves gaps where a day has no value instead of joining across them', () => {
    expect(linePath([100, null, 0, 0], plot)).toBe('M0,0M66.7,100L100,100')
    expect(linePath([], plot)).toBe('')
  })

  it('clamps values to the scale and lists days inclusive', () => {
    expect(yOf(50, plot)).toBe(50)
    expect(linePath([150], plot)).toBe('M50,0')
    expect(dayRange('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'])
  })
})
