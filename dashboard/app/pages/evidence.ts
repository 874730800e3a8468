import type { ControlCoverage } from '../../../rules/frameworks/framework-catalogue.js'
import type { ManualEvidence } from '../../../collector/evidence/evidence-model.js'
import type { ExportJobView } from '../../../collector/evidence/export-jobs.js'
import { ApiError } from '../api.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { dataTable } from '../components/table.js'

/**
 * Evidence (issue 11): a framework's controls, which Posture checks and which need manual
 * evidence, files and notes attached to a control, and the signed export for a window.
 */
interface FrameworkSummary {
  id: string
  name: string
  version: string
  scope: 'complete' | 'curated'
  controls: number
  automated: number
}
type ControlView = ControlCoverage & { manualEvidence: ManualEvidence[] }
interface FrameworkView {
  framework: { id: string; name: string; version: string; source: string; licence: string; scope: string }
  controls: ControlView[]
}

export async function evidencePage(ctx: AppContext, _params: Record<string, string>, query: URLSearchParams): Promise<Page> {
  const element = h('div')
  const id = query.get('framework') ?? 'soc2'
  const load = async () => {
    const [{ frameworks }, view] = await Promise.all([
      ctx.api.get<{ frameworks: FrameworkSummary[] }>('/api/frameworks'),
      ctx.api.get<FrameworkView>(`/api/frameworks/${encodeURIComponent(id)}`),
    ])
    const select = h('select', { id: 'evidence-framework' }, frameworks.map((f) => h('option', { value: f.id, selected: f.id === id }, `${f.name} ${f.version}`)))
    select.addEventListener('change', () => ctx.navigate(`#/evidence?framework=${encodeURIComponent(select.value)}`))
    const automated = view.controls.filter((c) => c.automated).length
    const canExport = ctx.can('findings.export')
    mount(
      element,
      h('div', { class: 'page-head' }, h('h1', null, 'Evidence'), h('div', { class: 'head-tools' }, h('label', { for: 'evidence-framework' }, 'Framework '), select)),
      h('p', { class: 'muted' }, `${view.framework.name} ${view.framework.version}: ${view.controls.length} controls, ${automated} checked by Posture's rules, ${view.controls.length - automated} need manual evidence. ${view.framework.source}.`),
      canExport ? exportForm(ctx, view.framework.id) : null,
      dataTable<ControlView>(view.controls, [
        { label: 'Control', cell: (c) => h('strong', { id: `control-${c.id}` }, c.id) },
        { label: 'Title', cell: (c) => c.title, className: 'wide' },
        { label: 'How', cell: (c) => (c.automated ? h('span', { class: 'chip' }, `automated (${c.rules.length} rules)`) : h('span', { class: 'muted' }, 'manual')) },
        { label: 'Manual evidence', cell: (c) => evidenceCell(ctx, view.framework.id, c, canExport, load), className: 'wide' },
      ], { caption: `Controls of ${view.framework.name}` }),
    )
  }
  await load()
  return { element, title: 'Evidence', refresh: load }
}

function evidenceCell(ctx: AppContext, framework: string, c: ControlView, canAttach: boolean, reload: () => Promise<void>): HTMLElement {
  const list = h('ul', null, c.manualEvidence.map((e) => h('li', null, `${e.fileName}: ${e.note} (${e.addedBy}, ${e.addedAt.slice(0, 10)})`)))
  if (!canAttach) return list
  const file = h('input', { type: 'file', 'aria-label': `File for ${c.id}` })
  const note = h('input', { placeholder: 'note', 'aria-label': `Note for ${c.id}` })
  const button = h('button', { type: 'button', class: 'secondary' }, 'Attach')
  button.addEventListener('click', () => {
    const chosen = file.files?.[0]
    if (!chosen || !note.value.trim()) return ctx.notify('Choose a file and write a note', 'error')
    void chosen
      .arrayBuffer()
      .then((bytes) => ctx.api.send('POST', `/api/frameworks/${encodeURIComponent(framework)}/controls/${encodeURIComponent(c.id)}/evidence`, {
        fileName: chosen.name, mediaType: chosen.type || 'application/octet-stream', note: note.value.trim(), contentBase64: toBase64(new Uint8Array(bytes)),
      }))
      .then(() => ctx.notify(`Evidence attached to ${c.id}`))
      .then(reload)
      .catch((err: unknown) => ctx.notify(err instanceof ApiError ? err.message : String(err), 'error'))
  })
  return h('div', null, list, h('div', { class: 'inline-form' }, file, note, button))
}

function exportForm(ctx: AppContext, framework: string): HTMLElement {
  const today = new Date(ctx.now()).toISOString().slice(0, 10)
  const quarterAgo = new Date(ctx.now() - 90 * 86_400_000).toISOString().slice(0, 10)
  const from = h('input', { type: 'date', name: 'from', value: quarterAgo, required: true })
  const to = h('input', { type: 'date', name: 'to', value: today, required: true })
  const status = h('div', { class: 'export-status', role: 'status', 'aria-live': 'polite' })
  const button = h('button', { type: 'submit', class: 'primary' }, 'Start export')
  const form = h(
    'form',
    { class: 'panel inline-form', id: 'export-evidence' },
    h('h2', null, 'Export signed evidence'),
    h('div', { class: 'field' }, h('label', null, 'From ', from)),
    h('div', { class: 'field' }, h('label', null, 'To (exclusive) ', to)),
    button,
    h('p', { class: 'muted' }, 'The export runs in the background on the collector; its archive can be downloaded from here for a day (export jobs end when the collector restarts).'),
    status,
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    button.disabled = true
    void ctx.api
      .send<{ job: ExportJobView }>('POST', '/api/exports', { framework, from: from.value, to: to.value })
      .then(({ job }) => follow(ctx, job, status))
      .catch((err: unknown) => ctx.notify(err instanceof ApiError ? err.message : String(err), 'error'))
      .finally(() => (button.disabled = false))
  })
  // A job started before this page was opened (or before a reload) is shown too.
  void ctx.api
    .get<{ jobs: ExportJobView[] }>('/api/exports')
    .then(({ jobs }) => {
      const latest = jobs.find((j) => j.framework === framework && j.state !== 'expired')
      if (latest) return follow(ctx, latest, status)
    })
    .catch(() => undefined)
  return form
}

/** Shows a job's progress, polling once a second while it runs and the page is open. */
async function follow(ctx: AppContext, first: ExportJobView, status: HTMLElement): Promise<void> {
  let job = first
  for (;;) {
    mount(status, jobStatus(job))
    if (job.state !== 'queued' && job.state !== 'running') break
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    if (!status.isConnected) return
    job = (await ctx.api.get<{ job: ExportJobView }>(`/api/exports/${encodeURIComponent(job.id)}`)).job
  }
  if (job.state === 'done') ctx.notify('Evidence exported; check it with posture verify')
  if (job.state === 'failed') ctx.notify(`Export failed: ${job.error ?? 'unknown error'}`, 'error')
}

function jobStatus(job: ExportJobView): HTMLElement {
  const window = `${job.from.slice(0, 10)} to ${job.to.slice(0, 10)}`
  if (job.state === 'done' && job.archive) {
    return h(
      'p',
      { class: 'export-done', 'data-state': job.state },
      'Export of ', window, ' ready: ',
      h('a', { href: job.archive.downloadUrl, download: job.archive.fileName, class: 'export-download' }, `Download ${job.archive.fileName}`),
      ` (${Math.ceil(job.archive.bytes / 1024)} KiB, manifest SHA-256 ${job.archive.manifestSha256.slice(0, 16)}…, kept until ${job.archive.expiresAt.slice(0, 16).replace('T', ' ')} UTC)`,
    )
  }
  if (job.state === 'failed') return h('p', { class: 'bad-text', 'data-state': job.state }, `Export of ${window} failed: ${job.error ?? 'unknown error'}`)
  if (job.state === 'expired') return h('p', { class: 'muted', 'data-state': job.state }, `The export of ${window} is no longer kept; start it again.`)
  const scans = job.progress.scansTotal === null ? `${job.progress.scansWritten} scans` : `${job.progress.scansWritten} of ${job.progress.scansTotal} scans`
  return h(
    'div',
    { 'data-state': job.state },
    h('progress', { max: 100, value: job.progress.percent, 'aria-label': 'Export progress' }),
    ` ${job.state === 'queued' ? 'Waiting for a free export slot' : 'Exporting'} ${window}: ${job.progress.percent}% (${scans}, ${job.progress.filesWritten} files written)`,
  )
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}
