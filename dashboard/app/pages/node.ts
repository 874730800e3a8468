import type { NodeFinding, ScanSummary } from '../../../collector/store/store.js'
import type { nodeView } from '../../../collector/http/routes/api-nodes.js'
import type { Report } from '../../../rules/report.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { formatAge, formatLabels, formatPercent, formatScore, formatTime } from '../format.js'
import { gradeBadge, scoreBar } from '../components/badges.js'
import { factsView } from '../components/facts-view.js'
import { findingGroups } from '../components/finding-list.js'
import { lineChart } from '../components/line-chart.js'
import { kpi, section } from '../components/table.js'

/** One node: score, coverage, domains, findings by domain, history, facts, "scan now". */
export async function nodePage(ctx: AppContext, params: Record<string, string>): Promise<Page> {
  const id = params.id ?? ''
  const base = `/api/nodes/${encodeURIComponent(id)}`
  const element = h('div', { class: 'node' })
  let scanState: 'idle' | 'requested' = 'idle'
  const load = async () => {
    const [{ node, report }, { findings }, { scans: history }] = await Promise.all([
      ctx.api.get<{ node: NodeView; report: Report | null }>(base),
      ctx.api.get<{ findings: NodeFinding[] }>(`${base}/findings?limit=5000`),
      ctx.api.get<{ scans: ScanSummary[] }>(`${base}/history?limit=200`),
    ])
    if (scanState === 'requested' && history[0] && Date.parse(history[0].receivedAt) > requestedAt) scanState = 'idle'
    mount(element, ...render(ctx, node, findings, history, report, scanButton()))
  }
  let requestedAt = 0
  const scanButton = () => {
    if (!ctx.can('scan.request')) return null
    const button = h('button', { type: 'button', class: 'primary', 'data-action': 'scan-now', disabled: scanState === 'requested' }, scanState === 'requested' ? 'Scan requested…' : 'Scan now')
    button.addEventListener('click', () => {
      button.disabled = true
      requestedAt = Date.now()
      ctx.api
        .send('POST', `${base}/scan`)
        .then(() => {
          scanState = 'requested'
          button.textContent = 'Scan requested…'
          ctx.notify('Scan requested; this page updates when the report arrives.')
        })
        .catch((err: unknown) => {
          button.disabled = false
          ctx.notify(`Scan not started: ${err instanceof Error ? err.message : String(err)}`, 'error')
        })
    })
    return button
  }
  await load()
  return { element, title: 'Node', refresh: load }
}

type NodeView = ReturnType<typeof nodeView>

function render(ctx: AppContext, node: NodeView, findings: NodeFinding[], history: ScanSummary[], report: Report | null, scan: HTMLElement | null): HTMLElement[] {
  document.title = `${node.hostname} · Posture`
  const now = ctx.now()
  const counts = { pass: 0, fail: 0, error: 0, na: 0, waived: 0 }
  for (const f of findings) counts[f.status]++
  const chronological = [...history].reverse()
  const days = chronological.map((s) => ({ day: s.receivedAt.slice(0, 10), score: s.score }))
  const from = chronological[0]?.receivedAt.slice(0, 10) ?? new Date(now).toISOString().slice(0, 10)
  const to = new Date(now).toISOString().slice(0, 10)
  return [
    h(
      'div',
      { class: 'page-head' },
      h('div', null, h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Fleet'), ' / node'), h('h1', { class: 'hostname' }, node.hostname)),
      h('div', { class: 'head-tools' }, scan),
    ),
    h(
      'p',
      { class: 'node-meta muted' },
      node.os ?? 'unknown OS',
      ' · ',
      node.offlineSince ? h('span', { class: 'offline' }, `offline since ${formatTime(node.offlineSince)}`) : `last report ${formatAge(node.lastScanAt ?? node.lastSeen, now)}`,
      node.agentVersion ? ` · agent ${node.agentVersion}` : '',
      Object.keys(node.labels).length ? ` · ${formatLabels(node.labels)}` : '',
    ),
    h(
      'div',
      { class: 'kpis' },
      kpi('Score', h('span', null, formatScore(node.score), ' ', gradeBadge(node.grade, 'large')), h('span', null, `as of ${formatTime(node.lastScanAt)}`, counts.waived > 0 && report ? h('span', { class: 'without-waivers' }, ` · ${formatScore(report.score.scoreWithoutWaivers)} without waivers`) : null)),
      kpi('Coverage', formatPercent(node.coverage), 'checks that could run', undefined, node.coverage !== null && node.coverage < 0.9 ? 'warn' : ''),
      kpi('Failing', String(counts.fail), `${counts.error} error · ${counts.waived} waived · ${counts.pass} pass · ${counts.na} n/a`, undefined, counts.fail ? 'bad' : 'good'),
    ),
    h(
      'div',
      { class: 'grid two' },
      section('Domain scores', h('div', { class: 'bars' }, Object.entries(node.domains).sort(([a], [b]) => a.localeCompare(b)).map(([d, s]) => scoreBar(d, s.score, s.grade)))),
      section('Score history', lineChart(dailyLast(days), from, to, `${node.hostname} score`)),
    ),
    section('Findings', findingGroups(findings, now)),
    section('Inventory', report ? [h('p', { class: 'muted' }, `facts from the scan of ${formatTime(report.finishedAt)}`), factsView(report.facts, report.factErrors)] : h('p', { class: 'empty' }, 'No facts stored for this node.')),
  ]
}

/** The last score of each day. */
function dailyLast(points: { day: string; score: number | null }[]): { day: string; score: number | null }[] {
  const byDay = new Map<string, number | null>()
  for (const p of points) byDay.set(p.day, p.score)
  return [...byDay].map(([day, score]) => ({ day, score }))
}
