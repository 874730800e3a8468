import { h, type Child } from '../dom.js'

/**
 * The node's facts as a readable inventory, whatever the domain: objects become
 * definition lists, lists of records become tables, everything else text. The shapes
 * are the fact schemas of rules/facts/; this view needs no code per domain.
 */
export function factsView(facts: Record<string, unknown>, errors: Record<string, string>): HTMLElement {
  const domains = Object.keys(facts).sort()
  const errorList = Object.entries(errors)
  return h(
    'div',
    { class: 'facts' },
    domains.map((domain) => h('details', { class: 'facts-domain', open: domain === 'system' }, h('summary', null, domain), value(facts[domain], 0))),
    errorList.length
      ? h('details', { class: 'facts-domain' }, h('summary', null, `not gathered (${errorList.length})`), h('dl', { class: 'kv' }, errorList.flatMap(([path, reason]) => [h('dt', null, path), h('dd', { class: 'error' }, reason)])))
      : null,
  )
}

function value(v: unknown, depth: number): Child {
  if (v === null || v === undefined) return h('span', { class: 'muted' }, '—')
  if (typeof v === 'boolean') return h('span', { class: v ? 'yes' : 'no' }, v ? 'yes' : 'no')
  if (typeof v !== 'object') return String(v)
  if (Array.isArray(v)) return list(v, depth)
  const entries = Object.entries(v as Record<string, unknown>)
  if (entries.length === 0) return h('span', { class: 'muted' }, 'none')
  return h('dl', { class: 'kv' }, entries.flatMap(([k, child]) => [h('dt', null, humanize(k)), h('dd', null, value(child, depth + 1))]))
}

function list(items: unknown[], depth: number): Child {
  if (items.length === 0) return h('span', { class: 'muted' }, 'none')
  if (items.every((i) => typeof i !== 'object' || i === null)) return items.map(String).join(', ')
  if (items.every((i) => typeof i === 'object' && i !== null && !Array.isArray(i)) && depth < 3) {
    const records = items as Record<string, unknown>[]
    const columns = [...new Set(records.flatMap((r) => Object.keys(r)))]
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data compact' },
        h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, humanize(c))))),
        h('tbody', null, records.map((r) => h('tr', null, columns.map((c) => h('td', { 'data-label': humanize(c) }, cell(r[c])))))),
      ),
    )
  }
  return h('ol', null, items.map((i) => h('li', null, value(i, depth + 1))))
}

function cell(v: unknown): Child {
  if (v === null || v === undefined) return ''
  if (typeof v === 'object') {
    if (Array.isArray(v) && v.every((i) => typeof i !== 'object')) return v.join(', ')
    return h('code', { class: 'json' }, JSON.stringify(v))
  }
  return typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v)
}

/** `listenAddress` → `listen address`. */
export function humanize(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' ').toLowerCase()
}
