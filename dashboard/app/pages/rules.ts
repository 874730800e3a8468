import type { RuleInfo, RulesCatalogue } from '../../../collector/http/routes/rules-types.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { severityBadge } from '../components/badges.js'
import { dataTable, section } from '../components/table.js'

/** The rules catalogue: every rule with its domain and severity, searchable. */
export async function rulesPage(ctx: AppContext, _params: Record<string, string>, query: URLSearchParams): Promise<Page> {
  const catalogue = await ctx.api.get<RulesCatalogue>('/api/rules')
  const search = h('input', { id: 'rule-search', type: 'search', placeholder: 'id, title or control', value: query.get('q') ?? '', autocomplete: 'off' })
  const list = h('div')
  const show = () => {
    const q = search.value.trim().toLowerCase()
    const rules = catalogue.rules.filter((r) => !q || r.id.includes(q) || r.title.toLowerCase().includes(q) || Object.values(r.controls).flat().some((c) => c.toLowerCase() === q))
    mount(
      list,
      dataTable<RuleInfo>(rules, [
        { label: 'Rule', cell: (r) => [h('a', { href: `#/rules/${encodeURIComponent(r.id)}` }, r.title), h('div', null, h('code', { class: 'muted' }, r.id))], className: 'wide' },
        { label: 'Domain', cell: (r) => r.domain },
        { label: 'Severity', cell: (r) => severityBadge(r.severity) },
      ], { caption: 'Rules', empty: 'No rule matches.' }),
    )
  }
  search.addEventListener('input', show)
  show()
  const element = h(
    'div',
    null,
    h('div', { class: 'page-head' }, h('h1', null, 'Rules'), h('p', { class: 'muted' }, `catalogue ${catalogue.version} · ${catalogue.rules.length} rules`)),
    h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'rule-search' }, 'Search'), search)),
    list,
  )
  return { element, title: 'Rules' }
}

/** One rule: why it matters, how to fix it, what it maps to, how it is checked. */
export async function rulePage(ctx: AppContext, params: Record<string, string>): Promise<Page> {
  const catalogue = await ctx.api.get<RulesCatalogue>('/api/rules')
  const rule = catalogue.rules.find((r) => r.id === params.id)
  if (!rule) return { title: 'Rule', element: h('div', null, h('h1', null, 'Unknown rule'), h('p', null, h('code', null, params.id ?? ''), ' is not in the catalogue.')) }
  const params_ = Object.entries(rule.params)
  const element = h(
    'div',
    { class: 'rule' },
    h('div', { class: 'page-head' }, h('div', null, h('p', { class: 'crumbs' }, h('a', { href: '#/rules' }, 'Rules'), ' / ', rule.domain), h('h1', null, rule.title)), h('div', { class: 'head-tools' }, severityBadge(rule.severity), h('a', { class: 'button', href: `#/findings?rule=${encodeURIComponent(rule.id)}&status=fail` }, 'Failing nodes'))),
    h('p', null, h('code', null, rule.id)),
    section('Why it matters', h('p', { class: 'prose' }, rule.rationale)),
    section('How to fix it', h('pre', { class: 'remediation' }, rule.remediation)),
    h(
      'div',
      { class: 'grid two' },
      section('Controls', Object.keys(rule.controls).length ? h('dl', { class: 'kv' }, Object.entries(rule.controls).flatMap(([fw, ids]) => [h('dt', null, fw), h('dd', null, ids.map((id) => h('a', { href: `#/compliance?framework=${encodeURIComponent(fw)}#${id}`, class: 'chip' }, id)))])) : h('p', { class: 'empty' }, 'Not mapped.')),
      section('References', rule.references.length ? h('ul', null, rule.references.map((r) => h('li', null, r))) : h('p', { class: 'empty' }, 'None.')),
    ),
    section(
      'How it is checked',
      h('dl', { class: 'kv' }, rule.forEach ? [h('dt', null, 'For each'), h('dd', null, h('code', null, rule.forEach))] : null, rule.applies ? [h('dt', null, 'Applies when'), h('dd', null, h('code', null, rule.applies))] : null, h('dt', null, 'Check'), h('dd', null, h('code', null, rule.check))),
      params_.length ? [h('h3', null, 'Parameters'), h('dl', { class: 'kv' }, params_.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, h('code', null, JSON.stringify(v)))]))] : null,
    ),
  )
  return { element, title: rule.title }
}
