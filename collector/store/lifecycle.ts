import { createHash } from 'node:crypto'
import type { ScoringPolicy } from '../../rules/scoring.js'
import type { Finding, Status } from '../../rules/finding.js'
import type { Severity } from '../../rules/severity.js'
import { slaDueDate } from './sla.js'

/**
 * The life of one (node, rule, target) across scans (DESIGN.md, "Finding lifecycle and
 * SLAs"). `open` is an unresolved failure; it stays open through `error` (we cannot tell)
 * and `waived` (accepted, SLA paused); `pass`, `na` or disappearing from a scan of its
 * domain resolves it; failing again reopens it. Pure: previous state and one observation
 * in, next state out (null when nothing changed).
 */
export type LifecycleState = 'passing' | 'open' | 'resolved'

export interface Lifecycle {
  state: LifecycleState
  severity: Severity
  lastStatus: Status | 'gone'
  firstSeen: string
  /** Last scan that changed this row; the node's latest scan time tells "last seen". */
  lastChanged: string
  /** When the current failure started; null unless open. */
  failingSince: string | null
  slaDue: string | null
  resolvedAt: string | null
  reopenedCount: number
}

export type Observation = { status: Status | 'gone'; severity: Severity; at: Date }

export function nextLifecycle(previous: Lifecycle | undefined, seen: Observation, policy: ScoringPolicy): Lifecycle | null {
  const at = seen.at.toISOString()
  const failing = seen.status === 'fail' || (seen.status === 'waived' && previous?.state === 'open')
  if (!previous) {
    if (seen.status === 'gone') return null
    const open = seen.status === 'fail'
    return {
      state: open ? 'open' : 'passing',
      severity: seen.severity,
      lastStatus: seen.status,
      firstSeen: at,
      lastChanged: at,
      failingSince: open ? at : null,
      slaDue: open ? iso(slaDueDate(seen.at, seen.severity, policy)) : null,
      resolvedAt: null,
      reopenedCount: 0,
    }
  }
  if (previous.lastStatus === seen.status && previous.severity === seen.severity) return null

  const base = { ...previous, lastStatus: seen.status, severity: seen.severity, lastChanged: at }
  if (previous.state === 'open') {
    if (failing || seen.status === 'error') {
      // Still open; a severity change moves the due date from the original start.
      const since = new Date(previous.failingSince ?? at)
      return { ...base, slaDue: iso(slaDueDate(since, seen.severity, policy)) }
    }
    return { ...base, state: 'resolved', failingSince: null, slaDue: null, resolvedAt: at }
  }
  if (seen.status === 'fail') {
    return {
      ...base,
      state: 'open',
      failingSince: at,
      slaDue: iso(slaDueDate(seen.at, seen.severity, policy)),
      resolvedAt: null,
      reopenedCount: previous.state === 'resolved' ? previous.reopenedCount + 1 : previous.reopenedCount,
    }
  }
  return base
}

/** Observations for one scan: its findings, plus `gone` for known rows of scanned domains it lacks. */
export function observe(
  findings: readonly Pick<Finding, 'rule' | 'target' | 'status' | 'severity' | 'domain'>[],
  known: ReadonlyMap<string, Lifecycle & { domain: string }>,
  scannedDomains: readonly string[],
  at: Date,
): Map<string, Observation & { rule: string; target: string; domain: string }> {
  const out = new Map<string, Observation & { rule: string; target: string; domain: string }>()
  for (const f of findings) out.set(lifecycleKey(f.rule, f.target), { rule: f.rule, target: f.target, domain: f.domain, status: f.status, severity: f.severity, at })
  for (const [key, row] of known) {
    if (out.has(key) || row.lastStatus === 'gone' || !scannedDomains.includes(row.domain)) continue
    const [rule, target] = splitLifecycleKey(key)
    out.set(key, { rule, target, domain: row.domain, status: 'gone', severity: row.severity, at })
  }
  return out
}

/**
 * What a scan tells the lifecycle, as a digest: each finding's rule, target, status and
 * severity, and the domains scanned. After an update from a scan, every row it observed
 * holds that status and severity, and every other row of its domains is `gone`; so a later
 * scan with the same digest changes no row (nextLifecycle returns null for each), and
 * ingest may skip reading them. Order-sensitive on purpose: a reordered report only costs
 * one full update.
 */
export function observationDigest(findings: readonly Pick<Finding, 'rule' | 'target' | 'status' | 'severity'>[], scannedDomains: readonly string[]): string {
  const hash = createHash('sha256').update(scannedDomains.join('\u0001'))
  for (const f of findings) hash.update(`\u0002${f.rule}\u0000${f.target}\u0000${f.status}\u0000${f.severity}`)
  return hash.digest('base64url')
}

export function lifecycleKey(rule: string, target: string): string {
  return `${rule}\u0000${target}`
}

function splitLifecycleKey(key: string): [string, string] {
  const index = key.indexOf('\u0000')
  return [key.slice(0, index), key.slice(index + 1)]
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null
}
