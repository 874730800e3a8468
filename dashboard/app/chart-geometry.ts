/** Pure geometry for the hand-drawn SVG charts: values in, coordinates out. */
export interface Point {
  x: number
  y: number
}

export interface Plot {
  width: number
  height: number
  padLeft: number
  padRight: number
  padTop: number
  padBottom: number
}

/** Maps series (x ascending, y 0–100, gaps as null) to SVG path data, one subpath per unbroken run. */
export function linePath(values: readonly (number | null)[], plot: Plot, yMin = 0, yMax = 100): string {
  const n = values.length
  if (n === 0) return ''
  const innerW = plot.width - plot.padLeft - plot.padRight
  const innerH = plot.height - plot.padTop - plot.padBottom
  const x = (i: number) => plot.padLeft + (n === 1 ? innerW / 2 : (innerW * i) / (n - 1))
  const y = (v: number) => plot.padTop + innerH * (1 - (clamp(v, yMin, yMax) - yMin) / (yMax - yMin || 1))
  let d = ''
  let drawing = false
  values.forEach((v, i) => {
    if (v === null) {
      drawing = false
      return
    }
    d += `${drawing ? 'L' : 'M'}${round(x(i))},${round(y(v))}`
    drawing = true
  })
  return d
}

/** The y coordinate of a value on the plot (for grid lines and labels). */
export function yOf(value: number, plot: Plot, yMin = 0, yMax = 100): number {
  const innerH = plot.height - plot.padTop - plot.padBottom
  return round(plot.padTop + innerH * (1 - (value - yMin) / (yMax - yMin || 1)))
}

export function xOf(index: number, count: number, plot: Plot): number {
  const innerW = plot.width - plot.padLeft - plot.padRight
  return round(plot.padLeft + (count <= 1 ? innerW / 2 : (innerW * index) / (count - 1)))
}

/** Consecutive UTC days from `from` to `to` inclusive, as YYYY-MM-DD. */
export function dayRange(from: string, to: string): string[] {
  const days: string[] = []
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10))
  return days
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v))
}

function round(v: number): number {
  return Math.round(v * 10) / 10
}
