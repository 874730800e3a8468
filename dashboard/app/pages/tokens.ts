import type { NewToken, TokenInfo } from '../../../collector/http/routes/admin-types.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { formatAge, formatTime } from '../format.js'
import { dataTable, section } from '../components/table.js'
import { oneTimeSecret } from '../components/one-time-secret.js'

/** API tokens (admin): create one with a role (the secret is shown once), revoke. */
export async function tokensPage(ctx: AppContext): Promise<Page> {
  const element = h('div')
  const notice = h('div')
  const load = async () => {
    const tokens = await ctx.api.get<TokenInfo[]>('/api/tokens')
    mount(element, h('div', { class: 'page-head' }, h('h1', null, 'API tokens')), notice, form(), section('Tokens', list(tokens)))
  }
  const form = () => {
    const name = h('input', { id: 'token-name', required: true, maxlength: 100, placeholder: 'ci-export', autocomplete: 'off' })
    const role = h('select', { id: 'token-role' }, ['auditor', 'operator', 'admin'].map((r) => h('option', { value: r }, r)))
    const f = h('form', { class: 'inline-form panel' }, h('h2', null, 'Create a token'), h('div', { class: 'field' }, h('label', { for: 'token-name' }, 'Name'), name), h('div', { class: 'field' }, h('label', { for: 'token-role' }, 'Role'), role), h('button', { type: 'submit', class: 'primary' }, 'Create token'))
    f.addEventListener('submit', (e) => {
      e.preventDefault()
      ctx.api
        .send<NewToken>('POST', '/api/tokens', { name: name.value, role: role.value })
        .then(async (created) => {
          await load()
          mount(notice, oneTimeSecret(`Token ${created.token.name} (${created.token.role})`, created.secret, 'Send it as "Authorization: Bearer …".'))
        })
        .catch((err: unknown) => ctx.notify(err instanceof Error ? err.message : String(err), 'error'))
    })
    return f
  }
  const list = (tokens: TokenInfo[]) =>
    dataTable<TokenInfo>(tokens, [
      { label: 'Name', cell: (t) => h('strong', null, t.name) },
      { label: 'Role', cell: (t) => t.role },
      { label: 'Created', cell: (t) => formatTime(t.createdAt) },
      { label: 'Last used', cell: (t) => formatAge(t.lastUsed, ctx.now()) },
      {
        label: 'State',
        cell: (t) =>
          t.revokedAt
            ? h('span', { class: 'muted' }, `revoked ${formatTime(t.revokedAt)}`)
            : h('button', { type: 'button', class: 'danger', onclick: () => void ctx.api.send('DELETE', `/api/tokens/${encodeURIComponent(t.id)}`).then(load, (err: unknown) => ctx.notify(String(err), 'error')) }, 'Revoke'),
      },
    ], { caption: 'API tokens', empty: 'No API tokens yet.' })
  await load()
  return { element, title: 'API tokens' }
}
