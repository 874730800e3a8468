import type { ComplianceView } from '../../../collector/http/routes/rules-types.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { dataTable } from '../components/table.js'

type ControlRow = ComplianceView['controls'][number]

/** Per framework control: how many nodes pass and fail the rules mapped to it. */
export async function compliancePage(ctx: AppContext, _params: Record<string, string>, query: URLSearchParams): Promise<Page> {
  const element = h('div')
  const framework = query.get('framework') ?? 'soc2'
  const load = async () => {
    const view = await ctx.api.get<ComplianceView>(`/api/compliance?framework=${encodeURIComponent(framework)}`)
    const select = h('select', { id: 'framework' }, view.frameworks.map((f) => h('option', { value: f, selected: f === view.framework }, f)))
    select.addEventListener('change', () => ctx.navigate(`#/compliance?framework=${encodeURIComponent(select.value)}`))
    mount(
      element,
      h('div', { class: 'page-head' }, h('h1', null, 'Compliance'), h('div', { class: 'head-tools' }, h('label', { for: 'framework' }, 'Framework '), select)),
      dataTable<ControlRow>(view.controls, [
        { label: 'Control', cell: (c) => h('strong', { id: c.control }, c.control) },
        { label: 'Passing nodes', cell: (c) => String(c.nodesPassing), className: 'num' },
        { label: 'Failing nodes', cell: (c) => h('span', { class: c.nodesFailing ? 'bad-text' : null }, String(c.nodesFailing)), className: 'num' },
        { label: 'Health', cell: (c) => meter(c) },
        { label: 'Rules', cell: (c) => c.rules.map((r) => h('a', { href: `#/rules/${encodeURIComponent(r)}`, class: 'chip' }, r)), className: 'wide' },
      ], { caption: `Controls of ${view.framework}`, empty: 'No rule maps to this framework yet.' }),
    )
  }
  await load()
  return { element, title: 'Compliance', refresh: load }
}

function meter(c: ControlRow): HTMLElement {
  const total = c.nodesPassing + c.nodesFailing
  const ratio = total ? c.nodesPassing / total : 0
  const fill = h('span', { class: `bar-fill ${ratio === 1 ? 'grade-bg-A' : ratio >= 0.8 ? 'grade-bg-C' : 'grade-bg-F'}` })
  fill.style.width = `${Math.round(ratio * 100)}%`
  return h('span', { class: 'bar-track', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(ratio * 100), 'aria-label': `${c.control}: ${Math.round(ratio * 100)}% of nodes pass` }, fill)
}
