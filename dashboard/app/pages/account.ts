import type { TotpConfirmed, TotpEnrolment } from '../../../collector/http/routes/admin-types.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { section } from '../components/table.js'

/**
 * Your account: change the password (forced after a one-time password) and enrol TOTP
 * (forced when the collector requires it) — scan the QR code, confirm with a code, keep
 * the recovery codes.
 */
export async function accountPage(ctx: AppContext): Promise<Page> {
  const { user } = ctx.session
  const element = h('div', { class: 'account narrow' })
  const step = user.mustChangePassword ? 'password' : ctx.session.totpRequired && !user.totpEnabled ? 'totp' : null
  const intro = step
    ? h('p', { class: 'notice', role: 'status' }, step === 'password' ? 'Choose a new password to replace the one-time password.' : 'Set up two-factor authentication to finish signing in.')
    : null
  const totp = h('div')
  mount(
    element,
    h('div', { class: 'page-head' }, h('h1', null, step ? 'Finish setting up your account' : 'Your account'), h('p', { class: 'muted' }, `${user.username} · ${user.role}`)),
    intro,
    step !== 'totp' ? section('Password', passwordForm(ctx, user.username, step === 'password')) : null,
    step !== 'password' ? section('Two-factor authentication', totp) : null,
  )
  if (step !== 'password') {
    if (user.totpEnabled) mount(totp, h('p', null, 'TOTP is on for this account.'))
    else mount(totp, await enrolment(ctx))
  }
  return { element, title: 'Account' }
}

function passwordForm(ctx: AppContext, username: string, forced: boolean): HTMLElement {
  const current = h('input', { id: 'current-password', type: 'password', autocomplete: 'current-password', required: true })
  const next = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', required: true, minlength: 12 })
  const again = h('input', { id: 'new-password-again', type: 'password', autocomplete: 'new-password', required: true, minlength: 12 })
  const message = h('p', { class: 'form-error', role: 'alert' })
  const form = h(
    'form',
    null,
    // Lets password managers file the new password under the right account.
    h('input', { type: 'text', name: 'username', autocomplete: 'username', value: username, readonly: true, hidden: true }),
    h('div', { class: 'field' }, h('label', { for: 'current-password' }, forced ? 'One-time password' : 'Current password'), current),
    h('div', { class: 'field' }, h('label', { for: 'new-password' }, 'New password'), next, h('p', { class: 'hint' }, 'At least 12 characters. A passphrase of several words is easiest.')),
    h('div', { class: 'field' }, h('label', { for: 'new-password-again' }, 'New password again'), again),
    message,
    h('button', { type: 'submit', class: 'primary' }, 'Change password'),
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    message.textContent = ''
    if (next.value !== again.value) {
      message.textContent = 'The two new passwords differ.'
      return
    }
    ctx.api
      .send('POST', '/api/auth/password', { current: current.value, next: next.value })
      .then(() => {
        ctx.notify('Password changed')
        location.reload()
      })
      .catch((err: unknown) => (message.textContent = err instanceof Error ? err.message : String(err)))
  })
  return form
}

async function enrolment(ctx: AppContext): Promise<HTMLElement> {
  const started = await ctx.api.send<TotpEnrolment>('POST', '/api/auth/totp/start')
  const code = h('input', { id: 'totp-code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true, pattern: '[0-9]{6}', maxlength: 6 })
  const message = h('p', { class: 'form-error', role: 'alert' })
  const box = h('div', { class: 'enrol' })
  const form = h(
    'form',
    null,
    h('div', { class: 'field' }, h('label', { for: 'totp-code' }, 'Code from the app'), code),
    message,
    h('button', { type: 'submit', class: 'primary' }, 'Turn on two-factor authentication'),
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    message.textContent = ''
    ctx.api
      .send<TotpConfirmed>('POST', '/api/auth/totp/confirm', { code: code.value })
      .then((done) => {
        mount(
          box,
          h('p', { class: 'notice good' }, 'Two-factor authentication is on.'),
          h('h3', null, 'Recovery codes'),
          h('p', null, 'Each code signs you in once if you lose your phone. Store them somewhere safe now: they will not be shown again.'),
          h('ol', { class: 'recovery-codes' }, done.recoveryCodes.map((c) => h('li', null, h('code', null, c)))),
          h('button', { type: 'button', class: 'primary', onclick: () => location.reload() }, 'I have stored them — continue'),
        )
      })
      .catch((err: unknown) => (message.textContent = err instanceof Error ? err.message : String(err)))
  })
  mount(
    box,
    h('ol', { class: 'steps' }, h('li', null, 'Scan this code with an authenticator app (FreeOTP, Aegis, Google Authenticator, 1Password…).'), h('li', null, 'Enter the 6-digit code it shows.')),
    h('div', { class: 'qr-row' }, h('img', { class: 'qr', src: `/api/auth/totp/qr.svg?v=${encodeURIComponent(started.secret.slice(0, 6))}`, alt: 'QR code to add this account to an authenticator app', width: 200, height: 200 }), h('div', null, h('p', null, 'Cannot scan? Enter this key:'), h('code', { class: 'secret', 'data-totp-secret': '' }, started.secret.replace(/(.{4})/g, '$1 ').trim()))),
    form,
  )
  return box
}
