import { h, s } from '../dom.js'
import { dayRange, linePath, type Plot } from '../chart-geometry.js'

export interface DailyPoint {
  day: string
  score: number | null
}

const gridValues = [0, 60, 70, 80, 90, 100]

/**
 * A score-over-time chart (0–100): the line is SVG stretched to the panel's width, the
 * axis labels are HTML placed by percentage, so text never stretches with the plot. Grid
 * lines at the grade thresholds; days without data are gaps, never interpolated.
 */
export function lineChart(points: readonly DailyPoint[], from: string, to: string, label: string): HTMLElement {
  const plot: Plot = { width: 1000, height: 200, padLeft: 0, padRight: 0, padTop: 6, padBottom: 6 }
  const days = dayRange(from, to)
  const byDay = new Map(points.map((p) => [p.day, p.score]))
  const values = days.map((d) => byDay.get(d) ?? null)
  const yPercent = (v: number) => ((plot.padTop + (plot.height - plot.padTop - plot.padBottom) * (1 - v / 100)) / plot.height) * 100
  const xPercent = (i: number) => (days.length <= 1 ? 50 : (i / (days.length - 1)) * 100)
  const lastIndex = values.findLastIndex((v) => v !== null)
  const last = lastIndex >= 0 ? values[lastIndex]! : null
  const svg = s(
    'svg',
    { class: 'chart line-chart', viewBox: `0 0 ${plot.width} ${plot.height}`, preserveAspectRatio: 'none', 'aria-hidden': 'true' },
    ...gridValues.map((v) => s('line', { class: 'grid-line', x1: 0, x2: plot.width, y1: (yPercent(v) * plot.height) / 100, y2: (yPercent(v) * plot.height) / 100 })),
    s('path', { class: 'series', d: linePath(values, plot) }),
  )
  const yLabels = gridValues.map((v) => place(h('span', { class: 'y-label' }, String(v)), { top: yPercent(v) }))
  const ticks = days.length > 1 ? [0, Math.floor((days.length - 1) / 2), days.length - 1] : [0]
  const xLabels = ticks.map((i) => place(h('span', { class: `x-label ${i === 0 ? 'first' : i === days.length - 1 ? 'last' : ''}` }, days[i]?.slice(5) ?? ''), { left: xPercent(i) }))
  const dot = last !== null ? place(h('span', { class: 'last-dot', title: `${days[lastIndex]}: ${last.toFixed(1)}` }), { left: xPercent(lastIndex), top: yPercent(last) }) : null
  return h(
    'figure',
    { class: 'chart-box', role: 'img', 'aria-label': `${label}: ${last === null ? 'no data' : `latest ${last.toFixed(1)}`}` },
    h('div', { class: 'y-axis' }, yLabels),
    h('div', { class: 'plot' }, svg, dot),
    h('div', { class: 'x-axis' }, xLabels),
  )
}

/** Positions an element by percentages (CSSOM, allowed by the CSP; no style attributes in markup). */
function place<T extends HTMLElement>(el: T, at: { top?: number; left?: number }): T {
  if (at.top !== undefined) el.style.top = `${at.top.toFixed(2)}%`
  if (at.left !== undefined) el.style.left = `${at.left.toFixed(2)}%`
  return el
}
