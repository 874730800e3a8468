import type { Status } from '../../rules/finding.js'
import type { Grade } from '../../rules/scoring.js'
import { atLeast, type Severity } from '../../rules/severity.js'
import type { AlertEvent, AlertNode } from './alert-events.js'

/**
 * Events from one stored scan, against the node's scan before it (pure: values in, events
 * out). A failure is new when the previous scan did not fail it; it is resolved when the
 * previous scan failed it and this one passes it, finds it not applicable, or (for a
 * domain this scan covered) no longer reports it. `error` neither opens nor resolves:
 * we cannot tell. A node's first scan reports its failures as new.
 */
export interface ScanFinding {
  rule: string
  target: string
  domain: string
  severity: Severity
  status: Status
  title: string
  message: string
}

export interface ScanResults {
  scanId: string
  score: number | null
  grade: Grade | null
  domains: readonly string[]
  findings: readonly ScanFinding[]
}

export interface DeriveOptions {
  /** A drop of at least this many points is an event (a falling grade always is). */
  scoreDropPoints: number
}

/** The rule a changed SSH host key fails (collector/ssh/refused-scan-report.ts). */
export const hostKeyRule = 'agentless.ssh-host-key'

const gradeOrder: Record<Grade, number> = { A: 0, B: 1, C: 2, D: 3, F: 4 }

export function deriveScanEvents(node: AlertNode, previous: ScanResults | null, current: ScanResults, options: DeriveOptions): AlertEvent[] {
  const events: AlertEvent[] = []
  const before = new Map((previous?.findings ?? []).map((f) => [key(f), f]))
  const now = new Map(current.findings.map((f) => [key(f), f]))
  for (const f of current.findings) {
    if (f.status !== 'fail' || before.get(key(f))?.status === 'fail') continue
    const subject = `${f.rule}@${f.target}`
    events.push({ type: 'finding.new', severity: f.severity, node, subject, summary: `${f.rule} fails on ${node.hostname}${f.target ? ` (${f.target})` : ''}: ${f.message}`, details: findingDetails(f) })
    if (f.rule === hostKeyRule) {
      events.push({ type: 'ssh.host-key-changed', severity: 'critical', node, subject, summary: `the SSH host key of ${node.hostname} changed: ${f.message}`, details: findingDetails(f) })
    }
  }
  for (const f of previous?.findings ?? []) {
    if (f.status !== 'fail') continue
    const seen = now.get(key(f))
    const resolved = seen ? seen.status === 'pass' || seen.status === 'na' : current.domains.includes(f.domain)
    if (!resolved) continue
    const how = seen ? seen.status : 'gone'
    events.push({ type: 'finding.resolved', severity: f.severity, node, subject: `${f.rule}@${f.target}`, summary: `${f.rule} resolved on ${node.hostname}${f.target ? ` (${f.target})` : ''}`, details: { ...findingDetails(seen ?? f), status: how } })
  }
  const drop = scoreDrop(previous, current, options)
  if (drop) events.push({ type: 'score.dropped', severity: drop.severity, node, subject: 'score', summary: drop.summary, details: drop.details })
  return events
}

function scoreDrop(previous: ScanResults | null, current: ScanResults, options: DeriveOptions) {
  if (!previous || previous.score === null || current.score === null) return null
  const points = previous.score - current.score
  const gradeFell = previous.grade !== null && current.grade !== null && gradeOrder[current.grade] > gradeOrder[previous.grade]
  if (points < options.scoreDropPoints && !gradeFell) return null
  const round = (n: number) => Math.round(n * 10) / 10
  return {
    // A fall to D or F (an unwaived critical failure caps the grade at D) is the most urgent kind.
    severity: (current.grade === 'D' || current.grade === 'F') && gradeFell ? ('critical' as const) : ('high' as const),
    summary: `score ${round(previous.score)} → ${round(current.score)}${gradeFell ? `, grade ${previous.grade} → ${current.grade}` : ''}`,
    details: { previousScore: previous.score, score: current.score, previousGrade: previous.grade, grade: current.grade, dropPoints: round(points), gradeFell, previousScanId: previous.scanId },
  }
}

function findingDetails(f: ScanFinding): Record<string, unknown> {
  return { rule: f.rule, target: f.target, domain: f.domain, status: f.status, title: f.title, message: f.message }
}

function key(f: { rule: string; target: string }): string {
  return `${f.rule}\u0000${f.target}`
}

/** A destination's view: its event kinds at or above its minimum severity (empty: no message). */
export function eventsFor(events: readonly AlertEvent[], destination: { events: readonly string[]; minSeverity: Severity }): AlertEvent[] {
  return events.filter((e) => destination.events.includes(e.type) && atLeast(e.severity, destination.minSeverity))
}

/** Groups events by node (fleet-wide events under ''), so that one sweep sends one message per node. */
export function groupByNode(events: readonly AlertEvent[]): Map<string, AlertEvent[]> {
  const groups = new Map<string, AlertEvent[]>()
  for (const e of events) {
    const id = e.node?.id ?? ''
    groups.set(id, [...(groups.get(id) ?? []), e])
  }
  return groups
}
