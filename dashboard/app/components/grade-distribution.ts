import { h, s } from '../dom.js'

const order = ['A', 'B', 'C', 'D', 'F', 'none'] as const

/** How many nodes hold each grade: one stacked bar plus a legend with counts. */
export function gradeDistribution(grades: Record<(typeof order)[number], number>): HTMLElement {
  const total = order.reduce((sum, g) => sum + grades[g], 0)
  let x = 0
  const segments = order
    .filter((g) => grades[g] > 0)
    .map((g) => {
      const w = total ? (grades[g] / total) * 100 : 0
      const rect = s('rect', { class: `grade-fill-${g}`, x: x.toFixed(2), y: 0, width: w.toFixed(2), height: 10 }, s('title', null, `${label(g)}: ${grades[g]}`))
      x += w
      return rect
    })
  return h(
    'div',
    { class: 'distribution' },
    s('svg', { class: 'chart stacked', viewBox: '0 0 100 10', preserveAspectRatio: 'none', role: 'img', 'aria-label': order.map((g) => `${label(g)} ${grades[g]}`).join(', ') }, ...segments),
    h(
      'ul',
      { class: 'legend' },
      order.map((g) => h('li', null, h('span', { class: `swatch grade-bg-${g}`, 'aria-hidden': 'true' }), h('span', null, label(g)), h('strong', null, String(grades[g])))),
    ),
  )
}

function label(g: (typeof order)[number]): string {
  return g === 'none' ? 'no grade' : g
}
