import { randomUUID } from 'node:crypto'
import { RecordingHost } from '../../agent/host/recording-host.js'
import { hostKeyId, type PinnedHostKey } from '../../agent/host/known-hosts.js'
import { HostKeyChangedError, SshHost, type SshConnectOptions } from '../../agent/host/ssh-host.js'
import { formatSshTarget } from '../../agent/host/ssh-target.js'
import { buildReport, gatherFacts, type ScanOptions } from '../../agent/scan.js'
import { evaluateRules } from '../../rules/evaluate.js'
import type { AgentlessFacts } from '../../rules/facts/agentless.js'
import type { RuleSet } from '../../rules/load-rules.js'
import type { Report } from '../../rules/report.js'
import { scoreNode } from '../../rules/scoring.js'
import { applyWaivers, type Waiver } from '../../rules/waivers.js'

/**
 * One agentless scan: connect (host key checked against the pins, pinned on first use),
 * run the same gatherers as `posture scan` through SshHost, add what was seen of the
 * connection (`facts.agentless`, read by the agentless.ssh-host-key rule), evaluate,
 * disconnect. Used by `posture ssh-scan` (pins in a JSON file) and the collector's
 * schedules (pins in the store).
 */
export interface HostKeyPins {
  get(id: string): Promise<PinnedHostKey | undefined>
  /** Records a first-seen key. Never replaces an existing pin. */
  pin(id: string, key: PinnedHostKey): Promise<void>
}

export interface SshScanRequest extends Omit<SshConnectOptions, 'pinned'> {
  scan: ScanOptions
  pins: HostKeyPins
  /** Also record everything read, for `--save-snapshot`. */
  recorder?: (host: SshHost) => RecordingHost
}

export interface SshScanResult {
  report: Report
  /** The key pinned by this scan (trust on first use), or null when it was already pinned. */
  newPin: PinnedHostKey | null
  recorder: RecordingHost | null
}

/** Throws PostureError (HostKeyChangedError for a changed key) when the scan cannot run at all. */
export async function scanOverSsh(request: SshScanRequest): Promise<SshScanResult> {
  const { target, pins, scan, recorder: record, ...connect } = request
  const clock = scan.clock ?? (() => new Date())
  const id = hostKeyId(target.host, target.port)
  const pinned = await pins.get(id)
  const host = await SshHost.connect({ ...connect, target, ...(pinned ? { pinned } : {}) })
  try {
    const startedAt = clock()
    let newPin: PinnedHostKey | null = null
    if (host.hostKey.status === 'new') {
      newPin = { ...host.hostKey.presented, firstSeen: startedAt.toISOString() }
      await pins.pin(id, newPin)
    }
    const recorder = record ? record(host) : null
    const gathered = await gatherFacts(recorder ?? host, scan.domains, scan.config, startedAt)
    const presented = host.hostKey.presented
    const agentless: AgentlessFacts = {
      transport: 'ssh',
      target: formatSshTarget(target),
      sudo: connect.sudo ?? false,
      hostKey: {
        status: host.hostKey.status,
        keyType: presented.keyType,
        fingerprint: presented.fingerprint,
        pinnedKeyType: pinned?.keyType ?? null,
        pinnedFingerprint: pinned?.fingerprint ?? null,
        pinnedSince: pinned?.firstSeen ?? null,
      },
    }
    gathered.facts.agentless = agentless
    const built = buildReport(gathered, {
      ...scan,
      now: startedAt,
      scanId: scan.scanId ?? randomUUID(),
      source: host.description,
      startedAt,
      finishedAt: clock(),
    })
    const report = withConnectionFindings(built, { ruleSet: scan.ruleSet, waivers: scan.waivers ?? [], labels: scan.labels ?? {}, now: startedAt })
    return { report, newPin, recorder }
  } finally {
    await host.close()
  }
}

/** The agentless facts of a scan refused for a changed host key. */
export function refusedHostKeyFacts(error: HostKeyChangedError, target: string, sudo: boolean): AgentlessFacts {
  return {
    transport: 'ssh',
    target,
    sudo,
    hostKey: {
      status: 'changed',
      keyType: error.presented?.keyType ?? null,
      fingerprint: error.presented?.fingerprint ?? null,
      pinnedKeyType: error.pinned.keyType,
      pinnedFingerprint: error.pinned.fingerprint,
      pinnedSince: error.pinned.firstSeen,
    },
  }
}

/**
 * Rules about the connection (those reading `facts.agentless`) are evaluated on every
 * agentless scan, whatever domains it covers: a changed host key must be reported, and
 * its finding resolved, by a schedule of patches alone too. The report's `domains` stay
 * as asked, so no other finding of the rule's domain is taken as gone.
 */
export function withConnectionFindings(report: Report, options: { ruleSet: RuleSet; waivers: readonly Waiver[]; labels: Record<string, string>; now: Date }): Report {
  const rules = options.ruleSet.rules.filter((r) => !report.domains.includes(r.spec.domain) && r.factPaths.some((path) => path[0] === 'agentless'))
  if (rules.length === 0) return report
  const extra = evaluateRules(rules, { facts: report.facts, factErrors: report.factErrors, now: options.now })
  const findings = [...report.findings, ...applyWaivers(extra, options.waivers, { nodeId: report.node.id, labels: options.labels }, options.now)]
  return { ...report, findings, score: scoreNode(findings, options.ruleSet.scoring) }
}
