import { h } from '../dom.js'
import { formatScore } from '../format.js'

/** Grade, status and severity badges: colour and text together, never colour alone. */
export function gradeBadge(grade: string | null | undefined, size: 'small' | 'large' = 'small'): HTMLElement {
  const g = grade ?? '–'
  return h('span', { class: `grade grade-${grade ?? 'none'} grade-${size}`, title: grade ? `grade ${grade}` : 'no grade: nothing evaluated' }, g)
}

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status status-${status}` }, status)
}

export function severityBadge(severity: string): HTMLElement {
  return h('span', { class: `severity severity-${severity}` }, severity)
}

export function scoreText(score: number | null | undefined): HTMLElement {
  return h('span', { class: 'score' }, formatScore(score))
}

/** A horizontal 0–100 bar with its value, for domain scores. */
export function scoreBar(label: string, score: number | null | undefined, grade: string | null | undefined, href?: string): HTMLElement {
  const fill = h('span', { class: `bar-fill grade-bg-${grade ?? 'none'}`, 'data-score': score ?? 0 })
  fill.style.width = `${Math.max(0, Math.min(100, score ?? 0))}%`
  return h(
    'div',
    { class: 'bar-row' },
    href ? h('a', { href, class: 'bar-label' }, label) : h('span', { class: 'bar-label' }, label),
    h('span', { class: 'bar-track', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': score ?? 0, 'aria-label': `${label} score` }, fill),
    h('span', { class: 'bar-value' }, formatScore(score), ' ', gradeBadge(grade)),
  )
}
