import type { Status } from '../../rules/finding.js'
import { summarize, type ScoringPolicy } from '../../rules/scoring.js'
import type { ControlCoverage } from '../../rules/frameworks/framework-catalogue.js'
import type { Severity } from '../../rules/severity.js'
import { slaDueDate } from '../store/sla.js'
import type { ControlFailure, ControlResult, EvidenceFinding, EvidenceScan, FleetSummary, RemediationStatus } from './evidence-model.js'

/**
 * Folds the scans of a window, one at a time and in time order per node, into per-control
 * results: what each (node, rule, target) did over the window and where it ended. Memory
 * grows with nodes × rules × targets, never with the number of scans. Pure: no clock (the
 * window's end is `now` for SLAs), no I/O.
 *
 * A failure's start follows the finding lifecycle (collector/store/lifecycle.ts): it opens
 * on `fail`, stays open through `error` and `waived`, and is resolved by `pass` or `na`.
 */
interface ItemState {
  nodeId: string
  rule: string
  target: string
  severity: Severity
  lastStatus: Status
  lastMessage: string
  lastWaiver: EvidenceFinding['waiver']
  expiredWaiver: { id: string; expired: string } | null
  open: boolean
  failingSince: string | null
  failingBeforeWindow: boolean
  resolvedAt: string | null
  everFailed: boolean
  failedScans: number
}

const emptyChecks = (): Record<Status, number> => ({ pass: 0, fail: 0, error: 0, na: 0, waived: 0 })

/** `(waiver ID expired DATE)`: how applyWaivers (rules/waivers.ts) marks a failure whose waiver lapsed. */
const expiredWaiverPattern = /\(waiver (\S+) expired (\S+)\)/

export function expiredWaiverOf(message: string): { id: string; expired: string } | null {
  const match = expiredWaiverPattern.exec(message)
  return match ? { id: match[1]!, expired: match[2]! } : null
}

export class ControlResultsBuilder {
  readonly #items = new Map<string, ItemState>()
  readonly #nodes = new Map<string, { hostname: string; firstScanAt: string; scans: number }>()
  readonly #checksByRule = new Map<string, Record<Status, number>>()
  readonly #waivedBy = new Map<string, number>()
  readonly #waiverRefs = new Map<string, { rule: string; ref: NonNullable<EvidenceFinding['waiver']> }>()
  #scans = 0
  #findings = 0

  addScan(scan: EvidenceScan, findings: readonly EvidenceFinding[]): void {
    this.#scans++
    const node = this.#nodes.get(scan.nodeId)
    const firstScan = !node
    if (node) node.scans++
    else this.#nodes.set(scan.nodeId, { hostname: scan.hostname, firstScanAt: scan.finishedAt, scans: 1 })
    for (const f of findings) {
      this.#findings++
      const checks = this.#checksByRule.get(f.rule) ?? this.#checksByRule.set(f.rule, emptyChecks()).get(f.rule)!
      checks[f.status]++
      if (f.waiver) {
        this.#waivedBy.set(f.waiver.id, (this.#waivedBy.get(f.waiver.id) ?? 0) + 1)
        if (!this.#waiverRefs.has(f.waiver.id)) this.#waiverRefs.set(f.waiver.id, { rule: f.rule, ref: f.waiver })
      }
      const key = `${scan.nodeId}\0${f.rule}\0${f.target}`
      let item = this.#items.get(key)
      if (!item) {
        item = {
          nodeId: scan.nodeId, rule: f.rule, target: f.target, severity: f.severity, lastStatus: f.status, lastMessage: f.message,
          lastWaiver: null, expiredWaiver: null, open: false, failingSince: null, failingBeforeWindow: false, resolvedAt: null, everFailed: false, failedScans: 0,
        }
        this.#items.set(key, item)
      }
      const failing = f.status === 'fail' || (f.status === 'waived' && f.waiver?.waivedStatus === 'fail')
      if (failing) {
        item.everFailed = true
        item.failedScans++
        if (!item.open) {
          item.open = true
          item.failingSince = scan.finishedAt
          item.failingBeforeWindow = firstScan
          item.resolvedAt = null
        }
      } else if (item.open && (f.status === 'pass' || f.status === 'na')) {
        item.open = false
        item.resolvedAt = scan.finishedAt
      }
      item.severity = f.severity
      item.lastStatus = f.status
      item.lastMessage = f.message
      item.lastWaiver = f.waiver
      item.expiredWaiver = f.status === 'fail' ? expiredWaiverOf(f.message) : null
    }
  }

  /** Waiver id → findings it waived in the window. */
  waivedCounts(): ReadonlyMap<string, number> {
    return this.#waivedBy
  }

  /** The waivers findings of the window carried, as the findings recorded them. */
  waiverRefs(): ReadonlyMap<string, { rule: string; ref: NonNullable<EvidenceFinding['waiver']> }> {
    return this.#waiverRefs
  }

  get scanCount(): number {
    return this.#scans
  }

  /** The failures already open when the window began: the exporter looks up when each began (the finding lifecycle). */
  failuresBeforeWindow(): { nodeId: string; rule: string; target: string }[] {
    return [...this.#items.values()].filter((i) => i.everFailed && i.failingBeforeWindow && i.failingSince).map(({ nodeId, rule, target }) => ({ nodeId, rule, target }))
  }

  /**
   * Per-control results for a framework. `priorFailingSince` may tell when a failure that
   * was already open at the window's start began (from the finding lifecycle).
   */
  results(
    framework: string,
    coverage: readonly ControlCoverage[],
    context: { policy: ScoringPolicy; windowEnd: Date; manualEvidence: ReadonlyMap<string, number>; priorFailingSince?: (nodeId: string, rule: string, target: string) => string | null },
  ): ControlResult[] {
    const itemsByRule = new Map<string, ItemState[]>()
    for (const item of this.#items.values()) (itemsByRule.get(item.rule) ?? itemsByRule.set(item.rule, []).get(item.rule)!).push(item)
    return coverage.map((control): ControlResult => {
      const items = control.rules.flatMap((rule) => itemsByRule.get(rule) ?? [])
      const checks = emptyChecks()
      for (const rule of control.rules) for (const [status, n] of Object.entries(this.#checksByRule.get(rule) ?? {})) checks[status as Status] += n
      const nodeStatus = new Map<string, Status>()
      for (const item of items) nodeStatus.set(item.nodeId, worse(nodeStatus.get(item.nodeId), item.lastStatus))
      const evaluated = [...nodeStatus.values()].filter((s) => s !== 'na')
      const failures = items.filter((i) => i.everFailed).map((i) => this.#failure(i, context))
      failures.sort((a, b) => a.hostname.localeCompare(b.hostname) || a.rule.localeCompare(b.rule) || a.target.localeCompare(b.target))
      const open = failures.filter((f) => f.remediation === 'open' || f.remediation === 'overdue' || f.remediation === 'expired-waiver')
      const score = summarize(items.map((i) => ({ severity: i.severity, status: i.lastStatus, waiver: i.lastWaiver ?? undefined })), context.policy)
      const count = (s: Status) => evaluated.filter((v) => v === s).length
      const verdict: ControlResult['verdict'] = !control.automated
        ? 'manual'
        : evaluated.length === 0
          ? 'no-data'
          : count('fail') > 0
            ? 'fail'
            : count('error') > 0
              ? 'error'
              : count('waived') > 0
                ? 'waived'
                : 'pass'
      return {
        framework,
        control: control.id,
        title: control.title,
        family: control.family,
        automated: control.automated,
        rules: control.rules,
        nodesEvaluated: evaluated.length,
        nodesPassing: count('pass'),
        nodesFailing: count('fail'),
        nodesWaived: count('waived'),
        nodesError: count('error'),
        checks,
        scoreWithWaivers: score.score,
        scoreWithoutWaivers: score.scoreWithoutWaivers,
        failingSince: minIso(open.map((f) => f.failingSince)),
        openFailures: open.length,
        overdueFailures: failures.filter((f) => f.remediation === 'overdue').length,
        earliestSlaDue: minIso(open.map((f) => f.slaDue)),
        verdict,
        failures,
        manualEvidence: context.manualEvidence.get(control.id) ?? 0,
      }
    })
  }

  /** The fleet at the end of the window: node scores (mean), counts, control verdicts. */
  summary(results: readonly ControlResult[], policy: ScoringPolicy): FleetSummary {
    const byNode = new Map<string, ItemState[]>()
    for (const item of this.#items.values()) (byNode.get(item.nodeId) ?? byNode.set(item.nodeId, []).get(item.nodeId)!).push(item)
    const withW: number[] = []
    const withoutW: number[] = []
    for (const items of byNode.values()) {
      const s = summarize(items.map((i) => ({ severity: i.severity, status: i.lastStatus, waiver: i.lastWaiver ?? undefined })), policy)
      if (s.score !== null) withW.push(s.score)
      if (s.scoreWithoutWaivers !== null) withoutW.push(s.scoreWithoutWaivers)
    }
    const checks = emptyChecks()
    for (const c of this.#checksByRule.values()) for (const [s, n] of Object.entries(c)) checks[s as Status] += n
    return {
      nodes: this.#nodes.size,
      scans: this.#scans,
      findings: this.#findings,
      checks,
      scoreWithWaivers: mean(withW),
      scoreWithoutWaivers: mean(withoutW),
      controlsTotal: results.length,
      controlsAutomated: results.filter((r) => r.automated).length,
      controlsPassing: results.filter((r) => r.verdict === 'pass').length,
      controlsFailing: results.filter((r) => r.verdict === 'fail').length,
    }
  }

  #failure(item: ItemState, context: { policy: ScoringPolicy; windowEnd: Date; priorFailingSince?: (nodeId: string, rule: string, target: string) => string | null }): ControlFailure {
    let failingSince = item.failingSince
    if (item.failingBeforeWindow && failingSince && context.priorFailingSince) {
      const prior = context.priorFailingSince(item.nodeId, item.rule, item.target)
      if (prior && prior < failingSince) failingSince = prior
    }
    const due = item.open && failingSince ? slaDueDate(new Date(failingSince), item.severity, context.policy) : null
    let remediation: RemediationStatus
    if (!item.open) remediation = 'resolved'
    else if (item.lastStatus === 'waived') remediation = 'waived'
    else if (item.expiredWaiver) remediation = 'expired-waiver'
    else if (due && due.getTime() < context.windowEnd.getTime()) remediation = 'overdue'
    else remediation = 'open'
    return {
      nodeId: item.nodeId,
      hostname: this.#nodes.get(item.nodeId)?.hostname ?? item.nodeId,
      rule: item.rule,
      target: item.target,
      severity: item.severity,
      status: item.lastStatus,
      failingSince,
      failingBeforeWindow: item.failingBeforeWindow,
      slaDue: due ? due.toISOString() : null,
      resolvedAt: item.open ? null : item.resolvedAt,
      remediation,
      failedScans: item.failedScans,
      waiver: item.lastStatus === 'waived' && item.lastWaiver ? { id: item.lastWaiver.id, approver: item.lastWaiver.approver, justification: item.lastWaiver.justification, expires: item.lastWaiver.expires } : null,
      expiredWaiver: item.expiredWaiver,
      message: item.lastMessage,
    }
  }
}

/** A node's status for a control: the worst of its findings (fail > error > waived > pass > na). */
const rank: Record<Status, number> = { fail: 4, error: 3, waived: 2, pass: 1, na: 0 }
function worse(a: Status | undefined, b: Status): Status {
  return a === undefined || rank[b] > rank[a] ? b : a
}

function minIso(values: readonly (string | null)[]): string | null {
  let min: string | null = null
  for (const v of values) if (v !== null && (min === null || v < min)) min = v
  return min
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null
  return Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10
}
