import { s } from '../dom.js'
import { dayRange, linePath, xOf, yOf, type Plot } from '../chart-geometry.js'

export interface DailyPoint {
  day: string
  score: number | null
}

/**
 * A score-over-time chart (0–100) drawn as SVG: grade bands as faint grid lines, one line,
 * a dot on the last value. Days without data are gaps, never interpolated.
 */
export function lineChart(points: readonly DailyPoint[], from: string, to: string, label: string): SVGSVGElement {
  const plot: Plot = { width: 640, height: 200, padLeft: 34, padRight: 12, padTop: 10, padBottom: 24 }
  const days = dayRange(from, to)
  const byDay = new Map(points.map((p) => [p.day, p.score]))
  const values = days.map((d) => byDay.get(d) ?? null)
  const grid = [0, 60, 70, 80, 90, 100].map((v) =>
    s('g', { class: 'grid' }, s('line', { x1: plot.padLeft, x2: plot.width - plot.padRight, y1: yOf(v, plot), y2: yOf(v, plot) }), s('text', { x: plot.padLeft - 6, y: yOf(v, plot) + 4, 'text-anchor': 'end' }, String(v))),
  )
  const ticks = days.length > 1 ? [0, Math.floor((days.length - 1) / 2), days.length - 1] : [0]
  const labels = ticks.map((i) => s('text', { class: 'axis', x: xOf(i, days.length, plot), y: plot.height - 6, 'text-anchor': i === 0 ? 'start' : i === days.length - 1 ? 'end' : 'middle' }, days[i]?.slice(5) ?? ''))
  const lastIndex = values.findLastIndex((v) => v !== null)
  const last = lastIndex >= 0 ? values[lastIndex]! : null
  return s(
    'svg',
    { class: 'chart line-chart', viewBox: `0 0 ${plot.width} ${plot.height}`, role: 'img', 'aria-label': `${label}: ${last === null ? 'no data' : `latest ${last.toFixed(1)}`}`, preserveAspectRatio: 'none' },
    s('title', null, label),
    ...grid,
    ...labels,
    s('path', { class: 'series', d: linePath(values, plot) }),
    last !== null ? s('circle', { class: 'last', cx: xOf(lastIndex, days.length, plot), cy: yOf(last, plot), r: 3.5 }) : null,
  )
}
