import { h } from '../dom.js'

/** A secret shown exactly once (password, API token, recovery codes), with a copy button. */
export function oneTimeSecret(title: string, secret: string, note: string): HTMLElement {
  const value = h('code', { class: 'secret', 'data-secret': '' }, secret)
  const copy = h('button', { type: 'button' }, 'Copy')
  copy.addEventListener('click', () => {
    void navigator.clipboard?.writeText(secret).then(() => (copy.textContent = 'Copied'))
  })
  return h('div', { class: 'notice', role: 'alert' }, h('strong', null, title), h('div', { class: 'secret-row' }, value, copy), h('p', { class: 'muted' }, note, ' It will not be shown again.'))
}
