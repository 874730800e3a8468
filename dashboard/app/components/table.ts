import { h, type Child, type Children } from '../dom.js'

export interface Column<T> {
  label: string
  cell: (row: T) => Child | Child[]
  /** `num` right-aligns; `wide` lets text wrap. */
  className?: string
}

/** A data table with a caption; an empty set shows `empty` instead of a bare header. */
export function dataTable<T>(rows: readonly T[], columns: readonly Column<T>[], options: { caption?: string; empty?: string; className?: string } = {}): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, options.empty ?? 'Nothing here.')
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: `data ${options.className ?? ''}` },
      options.caption ? h('caption', { class: 'visually-hidden' }, options.caption) : null,
      h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.className ?? null }, c.label)))),
      h('tbody', null, rows.map((row) => h('tr', null, columns.map((c) => h('td', { class: c.className ?? null, 'data-label': c.label }, ...[c.cell(row)].flat()))))),
    ),
  )
}

export function section(title: string, ...children: Children): HTMLElement {
  return h('section', { class: 'panel' }, h('h2', null, title), ...children)
}

/** A headline number with a label, linking to where the detail lives. */
export function kpi(label: string, value: Child, detail: Child, href?: string, tone = ''): HTMLElement {
  const body = [h('span', { class: 'kpi-label' }, label), h('span', { class: 'kpi-value' }, value), h('span', { class: 'kpi-detail' }, detail)]
  return href ? h('a', { class: `kpi ${tone}`, href }, body) : h('div', { class: `kpi ${tone}` }, body)
}
