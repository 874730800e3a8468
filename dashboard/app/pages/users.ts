import type { UserInfo, UserWithPassword } from '../../../collector/http/routes/admin-types.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { formatTime } from '../format.js'
import { dataTable, section } from '../components/table.js'
import { oneTimeSecret } from '../components/one-time-secret.js'

const roles = ['admin', 'operator', 'auditor'] as const

/** Users (admin): add people with a one-time password, change roles, disable, reset. */
export async function usersPage(ctx: AppContext): Promise<Page> {
  const element = h('div')
  const notice = h('div')
  const load = async () => {
    const users = await ctx.api.get<UserInfo[]>('/api/users')
    mount(element, h('div', { class: 'page-head' }, h('h1', null, 'Users')), notice, createForm(), section('Accounts', table(users)))
  }
  const act = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action()
      ctx.notify(done)
      await load()
    } catch (err) {
      ctx.notify(err instanceof Error ? err.message : String(err), 'error')
      await load()
    }
  }
  const createForm = () => {
    const username = h('input', { id: 'new-username', name: 'username', required: true, autocomplete: 'off', pattern: '[a-z0-9._-]{2,64}' })
    const role = h('select', { id: 'new-role', name: 'role' }, roles.map((r) => h('option', { value: r, selected: r === 'auditor' }, r)))
    const form = h(
      'form',
      { class: 'inline-form panel' },
      h('h2', null, 'Add a user'),
      h('div', { class: 'field' }, h('label', { for: 'new-username' }, 'Username'), username),
      h('div', { class: 'field' }, h('label', { for: 'new-role' }, 'Role'), role),
      h('button', { type: 'submit', class: 'primary' }, 'Add user'),
    )
    form.addEventListener('submit', (e) => {
      e.preventDefault()
      void act(async () => {
        const created = await ctx.api.send<UserWithPassword>('POST', '/api/users', { username: username.value, role: role.value })
        mount(notice, oneTimeSecret(`One-time password for ${created.user.username}`, created.oneTimePassword, 'They must change it at first sign-in, then enrol TOTP.'))
      }, 'User added')
    })
    return form
  }
  const table = (users: UserInfo[]) =>
    dataTable<UserInfo>(users, [
      { label: 'User', cell: (u) => h('strong', null, u.username) },
      {
        label: 'Role',
        cell: (u) => {
          const select = h('select', { 'aria-label': `role of ${u.username}`, disabled: u.id === ctx.session.user.id }, roles.map((r) => h('option', { value: r, selected: r === u.role }, r)))
          select.addEventListener('change', () => void act(() => ctx.api.send('PATCH', `/api/users/${u.id}`, { role: select.value }), `${u.username} is now ${select.value}`))
          return select
        },
      },
      { label: 'TOTP', cell: (u) => (u.totpEnabled ? 'on' : h('span', { class: 'warn-text' }, 'not enrolled')) },
      { label: 'Status', cell: (u) => (u.disabledAt ? h('span', { class: 'bad-text' }, `disabled ${formatTime(u.disabledAt)}`) : u.mustChangePassword ? 'must change password' : 'active') },
      { label: 'Created', cell: (u) => formatTime(u.createdAt) },
      {
        label: 'Actions',
        cell: (u) =>
          u.id === ctx.session.user.id
            ? h('span', { class: 'muted' }, 'you')
            : [
                h('button', { type: 'button', onclick: () => void act(() => ctx.api.send('PATCH', `/api/users/${u.id}`, { disabled: !u.disabledAt }), u.disabledAt ? 'Enabled' : 'Disabled') }, u.disabledAt ? 'Enable' : 'Disable'),
                ' ',
                h('button', {
                  type: 'button',
                  onclick: () =>
                    void act(async () => {
                      const reset = await ctx.api.send<UserWithPassword>('POST', `/api/users/${u.id}/reset-password`)
                      mount(notice, oneTimeSecret(`New one-time password for ${reset.user.username}`, reset.oneTimePassword, 'Their sessions were ended; TOTP stays enrolled.'))
                    }, 'Password reset'),
                }, 'Reset password'),
              ],
      },
    ], { caption: 'Users' })
  await load()
  return { element, title: 'Users', refresh: async () => undefined }
}
