import type { FleetOverview, OverviewFinding, OverviewNode } from '../../../collector/http/routes/overview-types.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { formatAge, formatPercent, formatScore, formatTime } from '../format.js'
import { gradeBadge, scoreBar, severityBadge } from '../components/badges.js'
import { lineChart } from '../components/line-chart.js'
import { dataTable, kpi, section } from '../components/table.js'
import { gradeDistribution } from '../components/grade-distribution.js'

/**
 * The fleet overview: how is the fleet, what got worse, what to fix first. Headline
 * numbers on top, then the trend, then the lists an operator acts on.
 */
export async function fleetPage(ctx: AppContext, _params: Record<string, string>, query: URLSearchParams): Promise<Page> {
  const days = query.get('days') === '90' ? 90 : 30
  const element = h('div', { class: 'fleet' })
  const load = async () => {
    const overview = await ctx.api.get<FleetOverview>(`/api/overview?days=${days}`)
    mount(element, ...render(overview, days, ctx))
  }
  await load()
  return { element, title: 'Fleet', refresh: load }
}

function render(o: FleetOverview, days: number, ctx: AppContext): HTMLElement[] {
  const now = ctx.now()
  const failing = o.openFailures.critical + o.openFailures.high
  const headline = h(
    'div',
    { class: 'kpis' },
    kpi('Fleet score', h('span', null, formatScore(o.fleet.score), ' ', gradeBadge(o.fleet.grade, 'large')), `coverage ${formatPercent(o.fleet.coverage)} · ${o.fleet.scoredNodes} of ${o.fleet.nodes} nodes scored`),
    kpi('Nodes', String(o.fleet.nodes), o.fleet.offline ? `${o.fleet.offline} offline` : 'all reporting', undefined, o.fleet.offline ? 'warn' : ''),
    kpi('Critical + high failures', String(failing), `${o.openFailures.critical} critical · ${o.openFailures.high} high · ${o.openFailures.medium} medium`, '#/findings?status=fail&severity=critical', failing ? 'bad' : 'good'),
    kpi('Past SLA', String(o.overdue.count), 'open failures past their remediation due date', '#/findings?status=fail&overdue=1&sort=sla', o.overdue.count ? 'bad' : 'good'),
    kpi('Certificates', String(o.certificates.length), 'expired or expiring soon', '#/findings?rule=tls.cert.&status=fail', o.certificates.length ? 'warn' : 'good'),
  )
  const rangeLink = (n: number) => h('a', { href: `#/?days=${n}`, class: 'toggle', 'aria-current': n === days ? 'true' : null }, `${n} days`)
  const trend = section(
    'Fleet score trend',
    h('div', { class: 'panel-tools' }, rangeLink(30), rangeLink(90)),
    lineChart(o.trend.points, o.trend.from, o.trend.to, `Fleet score, last ${days} days`),
  )
  const grades = section('Grade distribution', gradeDistribution(o.grades))
  const domains = section('Domain scores', h('div', { class: 'bars' }, o.domains.length ? o.domains.map((d) => scoreBar(d.domain, d.score, d.grade, `#/findings?domain=${encodeURIComponent(d.domain)}&status=fail`)) : h('p', { class: 'empty' }, 'No scores yet.')))
  const worst = section(
    'Worst nodes first',
    dataTable<OverviewNode>(o.worstNodes, [
      { label: 'Node', cell: (n) => nodeLink(n.id, n.hostname) },
      { label: 'Grade', cell: (n) => gradeBadge(n.grade) },
      { label: 'Score', cell: (n) => formatScore(n.score), className: 'num' },
      { label: 'Coverage', cell: (n) => formatPercent(n.coverage), className: 'num' },
      { label: 'Last seen', cell: (n) => (n.offlineSince ? h('span', { class: 'offline' }, 'offline ', formatAge(n.offlineSince, now)) : formatAge(n.lastSeen, now)) },
    ], { caption: 'Nodes by score, lowest first', empty: 'No nodes have reported yet. Join an agent with `posture collector token`.' }),
  )
  const changes = section(
    'What changed (7 days)',
    h('h3', null, 'New failures'),
    findingList(o.newFailures, (f) => `failing since ${formatAge(f.failingSince, now)}`, 'No new failures.'),
    h('h3', null, 'Resolved'),
    findingList(o.resolved, (f) => `resolved ${formatAge(f.resolvedAt, now)}`, 'Nothing resolved.'),
  )
  const overdue = section(
    'Past their SLA',
    dataTable<OverviewFinding>(o.overdue.items, [
      { label: 'Severity', cell: (f) => severityBadge(f.severity) },
      { label: 'Finding', cell: (f) => findingTitle(f), className: 'wide' },
      { label: 'Node', cell: (f) => nodeLink(f.nodeId, f.hostname) },
      { label: 'Due', cell: (f) => h('span', { class: 'overdue', title: formatTime(f.slaDue) }, formatAge(f.slaDue, now)), className: 'nowrap' },
    ], { empty: 'No failure is past its SLA.' }),
  )
  const certs = section(
    'Certificates expiring',
    dataTable<OverviewFinding>(o.certificates, [
      { label: 'Node', cell: (f) => nodeLink(f.nodeId, f.hostname) },
      { label: 'Endpoint', cell: (f) => h('code', null, f.target) },
      { label: 'Finding', cell: (f) => f.message || f.title, className: 'wide' },
    ], { empty: 'No certificate is expired or close to expiry.' }),
  )
  const offline = section(
    'Nodes offline',
    dataTable<OverviewNode>(o.offline, [
      { label: 'Node', cell: (n) => nodeLink(n.id, n.hostname) },
      { label: 'Silent since', cell: (n) => formatAge(n.offlineSince, now) },
      { label: 'Last seen', cell: (n) => formatTime(n.lastSeen) },
    ], { empty: 'Every node is reporting.' }),
  )
  return [
    h('div', { class: 'page-head' }, h('h1', null, 'Fleet'), h('p', { class: 'muted' }, `updated ${formatTime(o.generatedAt)}`)),
    headline,
    h('div', { class: 'grid two' }, trend, h('div', { class: 'stack' }, grades, domains)),
    h('div', { class: 'grid two' }, worst, changes),
    overdue,
    h('div', { class: 'grid two-even' }, certs, offline),
  ]
}

function nodeLink(id: string, hostname: string): HTMLElement {
  return h('a', { href: `#/nodes/${encodeURIComponent(id)}`, class: 'node-link' }, hostname)
}

function findingTitle(f: OverviewFinding): HTMLElement {
  return h('span', null, h('a', { href: `#/rules/${encodeURIComponent(f.rule)}` }, f.title || f.rule), f.target ? h('span', { class: 'target' }, ' · ', f.target) : null)
}

function findingList(items: readonly OverviewFinding[], when: (f: OverviewFinding) => string, empty: string): HTMLElement {
  if (items.length === 0) return h('p', { class: 'empty' }, empty)
  return h(
    'ul',
    { class: 'changes' },
    items.map((f) => h('li', null, severityBadge(f.severity), ' ', findingTitle(f), h('span', { class: 'muted' }, ' on '), nodeLink(f.nodeId, f.hostname), h('span', { class: 'muted when' }, ' · ', when(f)))),
  )
}
