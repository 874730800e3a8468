import type { AuditPage, AuditVerdict } from '../../../collector/http/routes/admin-types.js'
import type { AuditEntry } from '../../../collector/audit/audit-chain.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { formatTime } from '../format.js'
import { dataTable } from '../components/table.js'

/** The audit log (admin, auditor): newest first, with the hash chain's verdict on top. */
export async function auditPage(ctx: AppContext, _params: Record<string, string>, query: URLSearchParams): Promise<Page> {
  const element = h('div')
  const action = query.get('action') ?? ''
  const load = async () => {
    const [page, verdict] = await Promise.all([
      ctx.api.get<AuditPage>(`/api/audit?limit=200${action ? `&action=${encodeURIComponent(action)}` : ''}`),
      ctx.api.get<AuditVerdict>('/api/audit/verify'),
    ])
    const chain = verdict.ok
      ? h('p', { class: 'notice good' }, `Hash chain intact: ${verdict.count} entries verified.`)
      : h('p', { class: 'notice bad', role: 'alert' }, `Hash chain broken at entry ${verdict.seq} (${verdict.reason}): the log was altered.`)
    mount(
      element,
      h('div', { class: 'page-head' }, h('h1', null, 'Audit log'), h('a', { class: 'button', href: '/api/audit.csv', download: 'posture-audit.csv' }, 'Export CSV')),
      chain,
      dataTable<AuditEntry>(page.entries, [
        { label: '#', cell: (e) => String(e.seq), className: 'num' },
        { label: 'Time', cell: (e) => formatTime(e.at) },
        { label: 'Actor', cell: (e) => e.actor },
        { label: 'Action', cell: (e) => h('a', { href: `#/audit?action=${encodeURIComponent(e.action)}` }, e.action) },
        { label: 'Target', cell: (e) => e.target ?? '' },
        { label: 'Outcome', cell: (e) => h('span', { class: e.outcome === 'failure' ? 'bad-text' : null }, e.outcome) },
        { label: 'From', cell: (e) => e.ip ?? '' },
        { label: 'Details', cell: (e) => Object.entries(e.details).map(([k, v]) => `${k}=${String(v)}`).join(' '), className: 'wide' },
      ], { caption: 'Audit log entries', empty: 'No entries.' }),
    )
  }
  await load()
  return { element, title: 'Audit log', refresh: load }
}
