import type { ScheduleView } from '../../../collector/schedule/schedule-admin.js'
import type { ScheduleRun, ScheduleSpecInput } from '../../../collector/schedule/schedule-spec.js'
import { ApiError } from '../api.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { focusedSelector, restoreFocus } from '../focus.js'
import { formatAge, formatTime } from '../format.js'
import { confirmButton } from '../components/confirm-button.js'
import { dataTable, section } from '../components/table.js'
import { scheduleForm, targetText } from './schedule-form.js'

/**
 * Scheduled audit scans (README, "Scheduled scans"): each schedule with its timing, its
 * targets, its next runs and how its last run went. Operators and admins add, edit,
 * enable or disable, delete and run them now; auditors read. The API enforces the same.
 */
export async function schedulesPage(ctx: AppContext): Promise<Page> {
  const element = h('div')
  const canWrite = ctx.can('schedules.write')
  const canRun = ctx.can('scan.request')
  const formSlot = h('div')
  let editing: string | null = null
  let schedules: ScheduleView[] = []

  const act = async (action: () => Promise<unknown>, done: string) => {
    const focus = focusedSelector(element)
    try {
      await action()
      ctx.notify(done)
    } catch (err) {
      ctx.notify(err instanceof Error ? err.message : String(err), 'error')
    }
    await load()
    restoreFocus(element, focus, document.getElementById('main') ?? element)
  }
  const showForm = () => {
    const existing = schedules.find((s) => s.name === editing) ?? null
    const save = (spec: ScheduleSpecInput) =>
      void ctx.api
        .send<{ schedule: ScheduleView }>(existing ? 'PUT' : 'POST', existing ? `/api/schedules/${encodeURIComponent(existing.name)}` : '/api/schedules', spec)
        .then(async ({ schedule }) => {
          ctx.notify(existing ? `Schedule ${schedule.name} saved` : `Schedule ${schedule.name} added`)
          editing = null
          await load()
        })
        .catch((err: unknown) => ctx.notify(err instanceof Error ? err.message : String(err), 'error'))
    const cancel = () => {
      editing = null
      showForm()
      if (existing) element.querySelector<HTMLElement>(`[data-action="edit"][data-name="${CSS.escape(existing.name)}"]`)?.focus()
    }
    mount(formSlot, canWrite ? scheduleForm(existing, save, existing ? cancel : undefined) : null)
  }
  const actions = (s: ScheduleView) => {
    const buttons: HTMLElement[] = []
    if (canRun) buttons.push(h('button', { type: 'button', class: 'primary', 'data-action': 'run-now', 'data-name': s.name, onclick: () => void act(() => ctx.api.send('POST', `/api/schedules/${encodeURIComponent(s.name)}/run`), `Schedule ${s.name} started`) }, 'Run now'))
    if (canWrite) {
      buttons.push(
        h('button', { type: 'button', 'data-action': 'toggle', 'data-name': s.name, onclick: () => void act(() => ctx.api.send('PATCH', `/api/schedules/${encodeURIComponent(s.name)}`, { enabled: !s.enabled }), `Schedule ${s.name} ${s.enabled ? 'disabled' : 'enabled'}`) }, s.enabled ? 'Disable' : 'Enable'),
        h('button', {
          type: 'button',
          'data-action': 'edit',
          'data-name': s.name,
          onclick: () => {
            editing = s.name
            showForm()
            formSlot.querySelector<HTMLElement>('#schedule-edit-cron')?.focus()
          },
        }, 'Edit'),
        confirmButton('Delete', `Delete ${s.name}?`, () => void act(() => ctx.api.send('DELETE', `/api/schedules/${encodeURIComponent(s.name)}`), `Schedule ${s.name} deleted`)),
      )
    }
    return buttons.length ? h('div', { class: 'row-actions' }, buttons) : h('span', { class: 'muted' }, 'read only')
  }
  let poll: ReturnType<typeof setTimeout> | undefined
  const load = async () => {
    const data = await getOrAbsent<{ schedules: ScheduleView[]; running: number[] }>(ctx, '/api/schedules')
    if (!data) return mount(element, notServed('Schedules'))
    schedules = data.schedules
    const running = new Set(data.running)
    const now = ctx.now()
    // No event announces that a run ended: while one is running, look again every few seconds.
    clearTimeout(poll)
    if (running.size > 0) poll = setTimeout(() => void (element.isConnected ? load() : undefined), 2000)
    mount(
      element,
      h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Schedules'), h('p', { class: 'muted' }, 'Audit scans on cron schedules, through agents or over SSH. Times are UTC unless a schedule names its time zone.'))),
      section(
        'Schedules',
        dataTable<ScheduleView>(schedules, [
          { label: 'Name', cell: (s) => h('a', { href: `#/schedules/${encodeURIComponent(s.name)}`, class: 'node-link' }, s.name) },
          { label: 'When', cell: (s) => [h('code', null, s.cron), ' ', h('span', { class: 'muted' }, s.timeZone), s.jitterMs ? h('div', { class: 'muted' }, `jitter ${Math.round(s.jitterMs / 1000)} s`) : null] },
          { label: 'Targets', cell: (s) => [s.target.kind === 'all' ? 'every node' : h('span', { class: 'chip' }, targetText(s.target)), h('div', { class: 'muted' }, s.mode === 'ssh' ? 'over SSH' : 'through agents')] },
          { label: 'Domains', cell: (s) => (s.domains.length === 8 ? 'all' : s.domains.join(', ')), className: 'wide' },
          { label: 'Next runs', cell: (s) => (s.enabled ? nextRuns(s.nextRuns, now) : h('span', { class: 'warn-text' }, 'disabled')) },
          { label: 'Last run', cell: (s) => lastRun(s.lastRun, running.has(s.id), now) },
          { label: 'Actions', cell: actions },
        ], { caption: 'Schedules', empty: 'No schedules yet.' }),
      ),
      formSlot,
    )
    showForm()
  }
  await load()
  return { element, title: 'Schedules', refresh: load }
}

/** One schedule's run history: every run, its trigger, outcome and failures. */
export async function schedulePage(ctx: AppContext, params: Record<string, string>): Promise<Page> {
  const name = params.name ?? ''
  const element = h('div')
  const load = async () => {
    const { schedule, runs } = await ctx.api.get<{ schedule: ScheduleView; runs: ScheduleRun[] }>(`/api/schedules/${encodeURIComponent(name)}`)
    const now = ctx.now()
    mount(
      element,
      h('p', { class: 'crumbs' }, h('a', { href: '#/schedules' }, 'Schedules'), ' / '),
      h('div', { class: 'page-head' }, h('h1', null, schedule.name), h('p', { class: 'muted' }, h('code', null, schedule.cron), ` ${schedule.timeZone}, ${schedule.mode === 'ssh' ? 'over SSH' : 'through agents'}, ${schedule.enabled ? 'enabled' : 'disabled'}`)),
      section('Next runs', schedule.enabled ? nextRuns(schedule.nextRuns, now) : h('p', { class: 'empty' }, 'Disabled: no runs are due.')),
      section(
        'Runs',
        dataTable<ScheduleRun>(runs, [
          { label: 'Started', cell: (r) => formatTime(r.startedAt), className: 'nowrap' },
          { label: 'Trigger', cell: (r) => (r.missedSlots ? `${r.trigger} (${r.missedSlots} missed)` : r.trigger) },
          { label: 'Status', cell: (r) => runBadge(r.status) },
          { label: 'Scanned', cell: (r) => `${r.scanned} / ${r.targeted}`, className: 'num' },
          { label: 'Duration', cell: (r) => (r.finishedAt ? `${Math.round((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000)} s` : '—'), className: 'num' },
          { label: 'Failures', cell: (r) => (r.failures.length ? h('ul', { class: 'changes' }, r.failures.map((f) => h('li', null, h('strong', null, f.target), ': ', f.reason))) : '—'), className: 'wide' },
        ], { caption: `Runs of ${schedule.name}`, empty: 'No runs yet.' }),
      ),
    )
  }
  await load()
  return { element, title: `Schedule ${name}`, refresh: load }
}

/** The schedules API is served by the collector's schedules plugin (`posture collector`); null when absent. */
export async function getOrAbsent<T>(ctx: AppContext, path: string): Promise<T | null> {
  try {
    return await ctx.api.get<T>(path)
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && err.message.startsWith('no route')) return null
    throw err
  }
}

export function notServed(what: string): HTMLElement {
  return h('div', null, h('h1', null, what), h('p', { class: 'notice' }, `This collector does not run scheduled or agentless scans. Start it with \`posture collector\` to manage ${what.toLowerCase()} here.`))
}

function nextRuns(runs: readonly string[], now: number): HTMLElement {
  if (runs.length === 0) return h('span', { class: 'muted' }, 'none')
  return h('ul', { class: 'next-runs' }, runs.map((iso, i) => h('li', { class: i === 0 ? null : 'muted' }, h('time', { datetime: iso }, formatTime(iso)), i === 0 ? ` (${formatAge(iso, now)})` : null)))
}

function lastRun(run: ScheduleRun | null, running: boolean, now: number): HTMLElement {
  if (running) return runBadge('running')
  if (!run) return h('span', { class: 'muted' }, 'never run')
  return h(
    'div',
    null,
    runBadge(run.status),
    ' ',
    h('span', { class: 'muted' }, formatAge(run.finishedAt ?? run.startedAt, now)),
    h('div', { class: 'muted' }, `${run.scanned} of ${run.targeted} scanned`),
    run.failures[0] ? h('div', { class: 'bad-text' }, `${run.failures[0].target}: ${run.failures[0].reason}`) : null,
  )
}

const runTones: Record<ScheduleRun['status'], string> = { ok: 'pass', partial: 'error', failed: 'fail', interrupted: 'error', running: 'na' }

function runBadge(status: ScheduleRun['status']): HTMLElement {
  return h('span', { class: `status status-${runTones[status]}`, 'data-run-status': status }, status)
}
