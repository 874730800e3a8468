import type { ControlCoverage } from '../../../rules/frameworks/framework-catalogue.js'
import type { ManualEvidence } from '../../../collector/evidence/evidence-model.js'
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
  const form = h('form', { class: 'panel inline-form', id: 'export-evidence' }, h('h2', null, 'Export signed evidence'), h('div', { class: 'field' }, h('label', null, 'From ', from)), h('div', { class: 'field' }, h('label', null, 'To (exclusive) ', to)), h('button', { type: 'submit', class: 'primary' }, 'Download zip'))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    void download(ctx, { framework, from: from.value, to: to.value }).catch((err: unknown) => ctx.notify(err instanceof Error ? err.message : String(err), 'error'))
  })
  return form
}

/** The export is a zip, not JSON: fetched with the session's CSRF token and saved. */
async function download(ctx: AppContext, body: { framework: string; from: string; to: string }): Promise<void> {
  const response = await fetch('/api/exports', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': ctx.session.csrfToken ?? '' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  })
  if (!response.ok) {
    const data = (await response.json().catch(() => null)) as { error?: { message?: string } } | null
    throw new Error(data?.error?.message ?? `export failed (${response.status})`)
  }
  const url = URL.createObjectURL(await response.blob())
  const link = h('a', { href: url, download: `posture-${body.framework}-${body.from}-${body.to}.zip` })
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  ctx.notify('Evidence exported; check it with posture verify')
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}
