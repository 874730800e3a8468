import type { WaiverView } from '../../../collector/waivers/waiver-admin.js'
import { ApiError } from '../api.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { dataTable } from '../components/table.js'

/**
 * Waivers (issue 11): the accepted exceptions with scope, justification, approver and
 * expiry; expired ones flagged. Operators and admins add and remove them; everyone else
 * reads. Every change lands in the audit log and re-scores the fleet.
 */
export async function waiversPage(ctx: AppContext): Promise<Page> {
  const element = h('div')
  const canWrite = ctx.can('waivers.write')
  const load = async () => {
    const { waivers } = await ctx.api.get<{ waivers: WaiverView[] }>('/api/waivers')
    mount(
      element,
      h('div', { class: 'page-head' }, h('h1', null, 'Waivers')),
      h('p', { class: 'muted' }, 'A waiver accepts a failing check for a while. Waived findings leave the score (scores are also shown without waivers); when a waiver expires, the finding is a failure again.'),
      dataTable<WaiverView>(waivers, [
        { label: 'Rule', cell: (w) => h('a', { href: `#/rules/${encodeURIComponent(w.rule)}`, class: 'chip' }, w.rule) },
        { label: 'Scope', cell: (w) => scope(w), className: 'wide' },
        { label: 'Justification', cell: (w) => w.justification, className: 'wide' },
        { label: 'Approver', cell: (w) => w.approver },
        { label: 'Expires', cell: (w) => h('span', { class: w.state === 'expired' ? 'bad-text' : null }, `${w.expires.slice(0, 10)}${w.state === 'expired' ? ' (expired)' : ` (${w.expiresInDays} d)`}`) },
        ...(canWrite ? [{ label: '', cell: (w: WaiverView) => removeButton(ctx, w, load) }] : []),
      ], { caption: 'Waivers', empty: 'No waivers.' }),
      canWrite ? addForm(ctx, load) : null,
    )
  }
  await load()
  return { element, title: 'Waivers', refresh: load }
}

function scope(w: WaiverView): string {
  const where = w.node !== undefined ? `node ${w.node}` : w.labels ? Object.entries(w.labels).map(([k, v]) => `${k}=${v}`).join(', ') : 'all nodes'
  return w.target !== undefined ? `${where}, target ${w.target}` : where
}

function removeButton(ctx: AppContext, w: WaiverView, reload: () => Promise<void>): HTMLElement {
  const button = h('button', { type: 'button', class: 'secondary' }, 'Remove')
  button.addEventListener('click', () => {
    void ctx.api
      .send('DELETE', `/api/waivers/${encodeURIComponent(w.id)}`)
      .then(() => ctx.notify(`Waiver ${w.id} removed`))
      .then(reload)
      .catch((err: unknown) => ctx.notify(err instanceof Error ? err.message : String(err), 'error'))
  })
  return button
}

function addForm(ctx: AppContext, reload: () => Promise<void>): HTMLElement {
  const field = (name: string, label: string, attrs: Record<string, string | boolean> = {}) =>
    h('div', { class: 'field' }, h('label', { for: `waiver-${name}` }, label), h('input', { id: `waiver-${name}`, name, ...attrs }))
  const form = h(
    'form',
    { class: 'inline-form panel', id: 'add-waiver' },
    h('h2', null, 'Add a waiver'),
    field('rule', 'Rule id', { required: true, placeholder: 'ssh.password-auth-disabled' }),
    field('node', 'Node id (empty: every node, or the labels below)'),
    field('labels', 'Labels (k=v,…)', { placeholder: 'role=legacy' }),
    field('target', 'Target (optional)'),
    h('div', { class: 'field' }, h('label', { for: 'waiver-justification' }, 'Justification'), h('textarea', { id: 'waiver-justification', name: 'justification', required: true, rows: 2 })),
    field('approver', 'Approver', { required: true }),
    field('expires', 'Expires', { type: 'date', required: true }),
    h('button', { type: 'submit', class: 'primary' }, 'Add waiver'),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const data = new FormData(form)
    const text = (k: string) => String(data.get(k) ?? '').trim()
    const labels = Object.fromEntries(text('labels').split(',').filter(Boolean).map((pair) => pair.split('=').map((s) => s.trim()) as [string, string]))
    const body = {
      rule: text('rule'),
      ...(text('node') ? { node: text('node') } : {}),
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(text('target') ? { target: text('target') } : {}),
      justification: text('justification'),
      approver: text('approver'),
      expires: text('expires'),
    }
    void ctx.api
      .send<{ waiver: WaiverView }>('POST', '/api/waivers', body)
      .then(({ waiver }) => ctx.notify(`Waiver ${waiver.id} added until ${waiver.expires.slice(0, 10)}`))
      .then(reload)
      .catch((err: unknown) => ctx.notify(err instanceof ApiError ? err.message : String(err), 'error'))
  })
  return form
}
