import type { FindingsPage } from '../../../collector/http/routes/findings-types.js'
import type { FleetFinding } from '../../../collector/store/store.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { formatAge, formatTime } from '../format.js'
import { severityBadge, statusBadge } from '../components/badges.js'
import { dataTable } from '../components/table.js'

const filters = [
  { name: 'status', label: 'Status', options: ['', 'fail', 'error', 'waived', 'pass', 'na'] },
  { name: 'severity', label: 'Severity', options: ['', 'critical', 'high', 'medium', 'low', 'info'] },
  { name: 'domain', label: 'Domain', options: ['', 'system', 'tls', 'http', 'patches', 'network', 'storage', 'access', 'dns'] },
] as const
const textFilters = [
  { name: 'rule', label: 'Rule', placeholder: 'tls.cert.' },
  { name: 'node', label: 'Node', placeholder: 'hostname' },
  { name: 'label', label: 'Label', placeholder: 'env=prod' },
] as const
const sorts = [
  ['severity', 'Severity'],
  ['age', 'Oldest failure first'],
  ['sla', 'SLA due first'],
] as const
const pageSize = 100

/**
 * The findings explorer: filter the whole fleet's findings by rule, severity, status,
 * domain, label and node, sort by severity, age or SLA, and export exactly this view as
 * CSV. The filters live in the URL, so a view can be bookmarked and shared.
 */
export async function findingsPage(ctx: AppContext, _params: Record<string, string>, query: URLSearchParams): Promise<Page> {
  const current = new URLSearchParams()
  for (const key of ['status', 'severity', 'domain', 'rule', 'node', 'label', 'sort', 'overdue']) {
    const v = query.get(key)
    if (v) current.set(key, v)
  }
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter findings' })
  for (const f of filters) {
    const select = h('select', { id: `f-${f.name}`, name: f.name }, f.options.map((o) => h('option', { value: o, selected: current.get(f.name) === o || (!o && !current.get(f.name)) }, o || 'any')))
    form.append(h('div', { class: 'field' }, h('label', { for: `f-${f.name}` }, f.label), select))
  }
  for (const f of textFilters) {
    form.append(h('div', { class: 'field' }, h('label', { for: `f-${f.name}` }, f.label), h('input', { id: `f-${f.name}`, name: f.name, value: current.get(f.name) ?? '', placeholder: f.placeholder, autocomplete: 'off' })))
  }
  form.append(h('div', { class: 'field' }, h('label', { for: 'f-sort' }, 'Sort'), h('select', { id: 'f-sort', name: 'sort' }, sorts.map(([v, l]) => h('option', { value: v, selected: (current.get('sort') ?? 'severity') === v }, l)))))
  const overdue = h('input', { id: 'f-overdue', name: 'overdue', type: 'checkbox', value: '1', checked: current.get('overdue') === '1' })
  form.append(h('div', { class: 'field checkbox' }, overdue, h('label', { for: 'f-overdue' }, 'Past SLA only')))
  form.append(h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, 'Apply'), h('a', { class: 'button', href: '#/findings' }, 'Clear')))
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const next = new URLSearchParams()
    new FormData(form).forEach((v, k) => {
      if (typeof v === 'string' && v.trim()) next.set(k, v.trim())
    })
    ctx.navigate(`#/findings?${next.toString()}`)
  })
  // Changing a select applies at once; text fields apply on Enter.
  form.addEventListener('change', (e) => {
    if (e.target instanceof HTMLSelectElement || e.target instanceof HTMLInputElement && e.target.type === 'checkbox') form.requestSubmit()
  })

  const csv = h('a', { class: 'button', href: `/api/explorer.csv?${current.toString()}`, download: 'posture-findings.csv' }, 'Export CSV')
  const results = h('div', { class: 'results' })
  const summary = h('p', { class: 'muted', 'aria-live': 'polite' })
  let items: FleetFinding[] = []
  let nextOffset: number | null = 0
  const more = h('button', { type: 'button', class: 'more' }, 'Load more')
  const loadPage = async (reset: boolean) => {
    const offset = reset ? 0 : (nextOffset ?? 0)
    const params = new URLSearchParams(current)
    params.set('limit', String(reset ? Math.max(pageSize, items.length) : pageSize))
    params.set('offset', String(offset))
    const page = await ctx.api.get<FindingsPage>(`/api/explorer?${params.toString()}`)
    items = reset ? page.items : [...items, ...page.items]
    nextOffset = page.nextOffset
    summary.textContent = `${items.length}${nextOffset !== null ? '+' : ''} findings`
    mount(results, table(items, ctx.now()), nextOffset !== null ? more : null)
  }
  more.addEventListener('click', () => void loadPage(false))
  await loadPage(true)
  const element = h('div', { class: 'explorer' }, h('div', { class: 'page-head' }, h('h1', null, 'Findings'), h('div', { class: 'head-tools' }, summary, csv)), form, results)
  return { element, title: 'Findings', refresh: () => loadPage(true) }
}

function table(items: FleetFinding[], now: number): HTMLElement {
  return dataTable<FleetFinding>(
    items,
    [
      { label: 'Status', cell: (f) => statusBadge(f.status) },
      { label: 'Severity', cell: (f) => severityBadge(f.severity) },
      { label: 'Finding', cell: (f) => [h('a', { href: `#/rules/${encodeURIComponent(f.rule)}` }, f.title || f.rule), h('div', { class: 'message' }, f.message)], className: 'wide' },
      { label: 'Target', cell: (f) => (f.target ? h('code', null, f.target) : '') },
      { label: 'Node', cell: (f) => h('a', { href: `#/nodes/${encodeURIComponent(f.node.id)}`, class: 'node-link' }, f.node.hostname) },
      { label: 'Failing', cell: (f) => (f.status === 'fail' && f.lifecycle.failingSince ? h('span', { title: formatTime(f.lifecycle.failingSince) }, formatAge(f.lifecycle.failingSince, now).replace(' ago', '')) : '') },
      { label: 'SLA due', cell: (f) => (f.status === 'fail' && f.lifecycle.slaDue ? h('span', { class: Date.parse(f.lifecycle.slaDue) < now ? 'overdue' : null, title: formatTime(f.lifecycle.slaDue) }, formatAge(f.lifecycle.slaDue, now)) : '') },
    ],
    { caption: 'Findings matching the filters', empty: 'No finding matches these filters.' },
  )
}
