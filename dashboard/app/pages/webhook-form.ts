import type { WebhookList } from '../../../collector/alerts/alert-routes.js'
import { h } from '../dom.js'

/**
 * "Add a destination": URL, name, format, the events it wants (every kind ticked to start
 * with) and the minimum severity (high by default, as the API's). The event kinds and
 * severities come from the API, so the pickers never drift from what the collector sends.
 * It only gathers what was typed; the API validates it and names the problem.
 */
export function webhookForm(list: Pick<WebhookList, 'eventTypes' | 'severities'>, submit: (body: Record<string, string | string[]>) => Promise<void>): HTMLElement {
  const url = h('input', { id: 'webhook-url', name: 'url', type: 'url', required: true, placeholder: 'https://alerts.example.net/posture', autocomplete: 'off', spellcheck: 'false' })
  const name = h('input', { id: 'webhook-name', name: 'name', maxlength: 100, placeholder: 'on-call' })
  const format = h('select', { id: 'webhook-format', name: 'format' }, h('option', { value: 'json' }, 'Generic JSON (signed)'), h('option', { value: 'slack' }, 'Slack-compatible'))
  const severity = h('select', { id: 'webhook-severity', name: 'minSeverity' }, list.severities.map((s) => h('option', { value: s, selected: s === 'high' }, `${s} and above`)))
  const boxes = list.eventTypes.map((e) => h('input', { type: 'checkbox', id: `webhook-event-${e.replace(/\./g, '-')}`, name: 'events', value: e, checked: true }))
  const events = h(
    'fieldset',
    { class: 'domains', id: 'webhook-events' },
    h('legend', null, 'Events'),
    boxes.map((box) => h('label', { class: 'check', for: box.id }, box, box.value)),
  )
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const button = h('button', { type: 'submit', class: 'primary' }, 'Add destination')
  const form = h(
    'form',
    { class: 'inline-form panel schedule-form', id: 'add-webhook' },
    h('h2', null, 'Add a destination'),
    h('div', { class: 'field' }, h('label', { for: 'webhook-url' }, 'URL'), url),
    h('div', { class: 'field' }, h('label', { for: 'webhook-name' }, 'Name (optional)'), name),
    h('div', { class: 'field' }, h('label', { for: 'webhook-format' }, 'Format'), format),
    h('div', { class: 'field' }, h('label', { for: 'webhook-severity' }, 'Minimum severity'), severity),
    events,
    error,
    h('div', { class: 'field actions' }, button),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value)
    if (chosen.length === 0) {
      error.hidden = false
      error.textContent = 'Pick at least one event.'
      boxes[0]?.focus()
      return
    }
    // Checked by the API (webhook-spec.ts), which names any bad field.
    const body = { url: url.value.trim(), ...(name.value.trim() ? { name: name.value.trim() } : {}), format: format.value, minSeverity: severity.value, events: chosen }
    button.disabled = true
    error.hidden = true
    submit(body)
      .catch((err: unknown) => {
        error.hidden = false
        error.textContent = err instanceof Error ? err.message : String(err)
        url.focus()
      })
      .finally(() => {
        button.disabled = false
      })
  })
  return form
}
