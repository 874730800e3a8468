import type { NodeFinding } from '../../../collector/store/store.js'
import { h } from '../dom.js'
import { formatAge, formatEvidence, formatTime } from '../format.js'
import { severityBadge, statusBadge } from './badges.js'

/**
 * A node's findings grouped by domain, failures first. Each finding opens to its
 * evidence, remediation and controls; evidence is shown as text, never parsed.
 */
export function findingGroups(findings: readonly NodeFinding[], now: number): HTMLElement {
  const byDomain = new Map<string, NodeFinding[]>()
  for (const f of findings) byDomain.set(f.domain, [...(byDomain.get(f.domain) ?? []), f])
  const domains = [...byDomain.keys()].sort()
  if (domains.length === 0) return h('p', { class: 'empty' }, 'No findings.')
  return h(
    'div',
    { class: 'finding-groups' },
    domains.map((domain) => {
      const items = byDomain.get(domain)!
      const fails = items.filter((f) => f.status === 'fail').length
      const errors = items.filter((f) => f.status === 'error').length
      return h(
        'details',
        { class: 'finding-group', open: fails > 0 || errors > 0 },
        h('summary', null, h('span', { class: 'group-name' }, domain), h('span', { class: 'group-counts' }, `${fails} failing · ${errors} error · ${items.length} checks`)),
        h('ul', { class: 'findings' }, items.map((f) => findingItem(f, now))),
      )
    }),
  )
}

export function findingItem(f: NodeFinding, now: number): HTMLElement {
  const controls = Object.entries(f.controls).map(([fw, ids]) => `${fw}: ${ids.join(', ')}`)
  const lifecycle = f.lifecycle
  return h(
    'li',
    { class: `finding finding-${f.status}` },
    h(
      'details',
      null,
      h(
        'summary',
        null,
        statusBadge(f.status),
        severityBadge(f.severity),
        h('span', { class: 'finding-title' }, f.title),
        f.target ? h('code', { class: 'target' }, f.target) : null,
        f.status === 'fail' && lifecycle.failingSince ? h('span', { class: 'since', title: formatTime(lifecycle.failingSince) }, `failing ${formatAge(lifecycle.failingSince, now).replace(' ago', '')}`) : null,
      ),
      h(
        'div',
        { class: 'finding-body' },
        f.message ? h('p', { class: 'message' }, f.message) : null,
        h(
          'dl',
          { class: 'kv' },
          h('dt', null, 'Rule'),
          h('dd', null, h('a', { href: `#/rules/${encodeURIComponent(f.rule)}` }, f.rule)),
          lifecycle.failingSince ? [h('dt', null, 'Failing since'), h('dd', null, formatTime(lifecycle.failingSince))] : null,
          lifecycle.slaDue && f.status === 'fail' ? [h('dt', null, 'SLA due'), h('dd', { class: Date.parse(lifecycle.slaDue) < now ? 'overdue' : null }, formatTime(lifecycle.slaDue))] : null,
          lifecycle.firstSeen ? [h('dt', null, 'First seen'), h('dd', null, formatTime(lifecycle.firstSeen))] : null,
          controls.length ? [h('dt', null, 'Controls'), h('dd', null, controls.join(' · '))] : null,
          f.waiver ? [h('dt', null, 'Waiver'), h('dd', null, `${f.waiver.justification} (approved by ${f.waiver.approver}, expires ${formatTime(f.waiver.expires)})`)] : null,
        ),
        f.evidence !== undefined && f.evidence !== null ? [h('h4', null, 'Evidence'), h('pre', { class: 'evidence' }, formatEvidence(f.evidence))] : null,
        f.status !== 'pass' && f.remediation ? [h('h4', null, 'Remediation'), h('pre', { class: 'remediation' }, f.remediation)] : null,
      ),
    ),
  )
}
