import type { ScheduleView } from '../../../collector/schedule/schedule-admin.js'
import type { ScheduleSpecInput, ScheduleTarget } from '../../../collector/schedule/schedule-spec.js'
import type { Domain } from '../../../rules/domains.js'
import { h } from '../dom.js'

/**
 * The form that adds a schedule or edits one (the same fields as
 * `posture collector schedule add`): name, cron in a time zone, jitter, targets, mode and
 * domains. It only gathers what was typed; the API validates it and names the problem.
 */
export const allDomains = ['system', 'tls', 'http', 'patches', 'network', 'storage', 'access', 'dns'] as const satisfies readonly Domain[]
// A compile error here means rules/domains.ts gained a domain this form does not offer.
const coversEveryDomain: Exclude<Domain, (typeof allDomains)[number]> extends never ? true : never = true
void coversEveryDomain

export function scheduleForm(existing: ScheduleView | null, onSubmit: (spec: ScheduleSpecInput) => void, onCancel?: () => void): HTMLFormElement {
  const id = (name: string) => `schedule-${existing ? 'edit' : 'new'}-${name}`
  const field = (name: string, label: string, control: HTMLElement, hint?: string) =>
    h('div', { class: 'field' }, h('label', { for: id(name) }, label), control, hint ? h('p', { class: 'hint' }, hint) : null)
  const name = h('input', { id: id('name'), name: 'name', required: true, autocomplete: 'off', pattern: '[a-z0-9][a-z0-9._\\-]{0,63}', placeholder: 'nightly-audit', value: existing?.name ?? '', readonly: existing !== null })
  const cron = h('input', { id: id('cron'), name: 'cron', required: true, autocomplete: 'off', placeholder: '0 3 * * *', value: existing?.cron ?? '' })
  const timeZone = h('input', { id: id('tz'), name: 'timeZone', autocomplete: 'off', placeholder: 'UTC', value: existing?.timeZone ?? 'UTC' })
  const jitter = h('input', { id: id('jitter'), name: 'jitter', type: 'number', min: 0, max: 21600, step: 1, value: existing ? Math.round(existing.jitterMs / 1000) : 0 })
  const mode = h('select', { id: id('mode'), name: 'mode' }, h('option', { value: 'agent', selected: existing?.mode !== 'ssh' }, 'through agents'), h('option', { value: 'ssh', selected: existing?.mode === 'ssh' }, 'over SSH (agentless)'))
  const kind = existing?.target.kind ?? 'all'
  const targetKind = h(
    'select',
    { id: id('target-kind'), name: 'targetKind' },
    h('option', { value: 'all', selected: kind === 'all' }, 'every node'),
    h('option', { value: 'labels', selected: kind === 'labels' }, 'nodes with labels'),
    h('option', { value: 'nodes', selected: kind === 'nodes' }, 'named nodes'),
  )
  const targetValue = h('input', { id: id('target'), name: 'target', autocomplete: 'off', placeholder: 'env=prod,role=web', value: existing ? targetText(existing.target) : '' })
  const targetField = field('target', 'Labels (k=v,…) or node names (a,b,…)', targetValue)
  const syncTarget = () => {
    targetField.hidden = targetKind.value === 'all'
    targetValue.required = targetKind.value !== 'all'
    targetValue.placeholder = targetKind.value === 'labels' ? 'env=prod,role=web' : 'web-01,web-02'
  }
  targetKind.addEventListener('change', syncTarget)
  syncTarget()
  const chosen = new Set<string>(existing?.domains ?? allDomains)
  const domainBoxes = allDomains.map((d) => h('input', { type: 'checkbox', id: id(`domain-${d}`), name: 'domains', value: d, checked: chosen.has(d) }))
  const domains = h(
    'fieldset',
    { class: 'domains' },
    h('legend', null, 'Domains'),
    domainBoxes.map((box, i) => h('label', { class: 'check', for: box.id }, box, allDomains[i]!)),
  )
  const enabled = h('input', { type: 'checkbox', id: id('enabled'), name: 'enabled', checked: existing?.enabled ?? true })
  const form = h(
    'form',
    { class: 'inline-form panel schedule-form', id: existing ? 'edit-schedule' : 'add-schedule' },
    h('h2', null, existing ? `Edit ${existing.name}` : 'Add a schedule'),
    field('name', 'Name', name),
    field('cron', 'Cron (min hour day month weekday)', cron),
    field('tz', 'Time zone', timeZone),
    field('jitter', 'Jitter (s)', jitter),
    field('mode', 'Mode', mode),
    field('target-kind', 'Targets', targetKind),
    targetField,
    domains,
    h('div', { class: 'field checkbox' }, enabled, h('label', { for: enabled.id }, 'Enabled')),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, existing ? 'Save schedule' : 'Add schedule'), onCancel ? h('button', { type: 'button', onclick: onCancel }, 'Cancel') : null),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    onSubmit({
      name: name.value.trim(),
      cron: cron.value.trim(),
      timeZone: timeZone.value.trim() || 'UTC',
      jitterMs: Math.round(Number(jitter.value || 0) * 1000),
      mode: mode.value === 'ssh' ? 'ssh' : 'agent',
      target: parseTarget(targetKind.value, targetValue.value),
      domains: domainBoxes.filter((b) => b.checked).map((b) => b.value as Domain),
      enabled: enabled.checked,
    })
  })
  return form
}

/** What the targets field shows for a stored target. */
export function targetText(target: ScheduleTarget): string {
  if (target.kind === 'labels') return Object.entries(target.labels).map(([k, v]) => `${k}=${v}`).join(',')
  if (target.kind === 'nodes') return target.nodes.join(',')
  return ''
}

/** The API's target from the form's kind and text; the API checks what is left. */
export function parseTarget(kind: string, text: string): ScheduleTarget {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean)
  if (kind === 'labels') {
    const labels: Record<string, string> = {}
    for (const item of items) {
      const at = item.indexOf('=')
      labels[at === -1 ? item : item.slice(0, at).trim()] = at === -1 ? '' : item.slice(at + 1).trim()
    }
    return { kind: 'labels', labels }
  }
  if (kind === 'nodes') return { kind: 'nodes', nodes: items }
  return { kind: 'all' }
}
