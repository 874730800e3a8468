import { ApiError, type Api } from '../api.js'
import { h } from '../dom.js'

/**
 * Sign in: username and password, then the TOTP code (or a recovery code) when the
 * account has one. Errors never say whether the name exists.
 */
export async function loginPage(api: Api, done: () => void): Promise<HTMLElement> {
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' })
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })
  const code = h('input', { id: 'code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', placeholder: '123456' })
  const codeRow = h('div', { class: 'field', hidden: true }, h('label', { for: 'code' }, 'Authentication code'), code, h('p', { class: 'hint' }, 'The 6-digit code from your authenticator app, or one of your recovery codes.'))
  const message = h('p', { class: 'form-error', role: 'alert' })
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in')
  const form = h(
    'form',
    { class: 'card login-card', novalidate: false },
    h('h1', null, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Posture'),
    h('p', { class: 'muted' }, 'Sign in to the fleet dashboard'),
    h('div', { class: 'field' }, h('label', { for: 'username' }, 'Username'), username),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    codeRow,
    message,
    submit,
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    void attempt()
  })
  async function attempt(): Promise<void> {
    message.textContent = ''
    submit.disabled = true
    try {
      const body: Record<string, string> = { username: username.value, password: password.value }
      if (!codeRow.hidden && code.value.trim()) body.code = code.value.trim()
      await api.send('POST', '/api/auth/login', body)
      done()
    } catch (err) {
      if (err instanceof ApiError && err.code === 'TOTP_REQUIRED') {
        codeRow.hidden = false
        message.textContent = codeRow.dataset.shown ? 'Enter your authentication code.' : ''
        codeRow.dataset.shown = '1'
        code.focus()
      } else if (err instanceof ApiError && err.code === 'RATE_LIMITED') {
        const minutes = Math.max(1, Math.ceil((err.retryAfterSeconds ?? 60) / 60))
        message.textContent = `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`
      } else if (err instanceof ApiError) {
        message.textContent = err.message
        if (!codeRow.hidden) code.select()
      } else {
        message.textContent = 'The collector could not be reached.'
      }
    } finally {
      submit.disabled = false
    }
  }
  // After the caller has mounted the form (a microtask would run while it is still detached, and focus nothing).
  setTimeout(() => username.focus(), 0)
  return h('main', { class: 'login' }, form)
}
