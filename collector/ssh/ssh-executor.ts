import { readFile } from 'node:fs/promises'
import type { LimitFunction } from 'p-limit'
import type { ScheduleLog } from '../schedule/schedule-log.js'
import { hostKeyId } from '../../agent/host/known-hosts.js'
import { HostKeyChangedError } from '../../agent/host/ssh-host.js'
import { formatSshTarget } from '../../agent/host/ssh-target.js'
import type { ScanConfig } from '../../agent/scan-config.js'
import type { RuleSet } from '../../rules/load-rules.js'
import { errorMessage } from '../../rules/posture-error.js'
import type { Report } from '../../rules/report.js'
import type { Waiver } from '../../rules/waivers.js'
import type { ScanExecutor, ScanOutcome, ScanRequest } from '../schedule/scan-executor.js'
import type { Candidate } from '../schedule/select-targets.js'
import type { IngestItem, IngestResult, NodeSummary } from '../store/store.js'
import { refusedScanReport } from './refused-scan-report.js'
import { scanOverSsh } from './scan-over-ssh.js'
import type { SshNode } from './ssh-node-spec.js'
import type { SshNodeStore } from './ssh-node-store.js'

/** What the SSH executor needs of the collector: narrow, so tests give real parts. */
export interface SshExecutorDeps {
  nodes: SshNodeStore
  store: {
    ingest(items: readonly IngestItem[]): Promise<IngestResult[]>
    getNode(id: string): Promise<NodeSummary | null>
    latestReport(nodeId: string): Promise<Report | null>
  }
  /** The collector's current rules and waivers, and the `scoredWith` stamp they give. */
  scoring(): { ruleSet: RuleSet; waivers: readonly Waiver[]; scoredWith: string }
  scanConfig: ScanConfig
  /** Shared by every run: how many hosts are scanned at once, across all schedules. */
  hostLimit: LimitFunction
  connectTimeoutMs: number
  maxChannelsPerHost: number
  /** The collector's ssh-agent socket, for nodes whose key is `agent`. */
  agentSocket: string | undefined
  clock: () => Date
  log: ScheduleLog
  /** Told of every stored report (the collector's `report` event). */
  onReport(nodeId: string, scanId: string): void
}

/**
 * Schedules' `ssh` mode: scans registered SSH nodes with the agent's own gatherers
 * through SshHost and stores each report like an agent's (collector/ssh/scan-over-ssh.ts).
 * A changed host key refuses the scan, is recorded beside the pin, and stores a report
 * whose agentless.ssh-host-key finding fails (refused-scan-report.ts).
 */
export function createSshExecutor(deps: SshExecutorDeps): ScanExecutor {
  return {
    unknownTarget: 'no SSH node of this name is registered (posture collector ssh-node add)',
    async candidates(): Promise<Candidate[]> {
      return (await deps.nodes.list()).map((n) => ({ id: n.name, name: n.name, labels: n.labels }))
    },
    scan(target, request) {
      return deps.hostLimit(() => scanNode(deps, target.id, request))
    },
  }
}

async function scanNode(deps: SshExecutorDeps, name: string, request: ScanRequest): Promise<ScanOutcome> {
  if (request.signal.aborted) return { ok: false, reason: 'not scanned: the collector is stopping' }
  const node = await deps.nodes.get(name)
  if (!node) return { ok: false, reason: 'the SSH node was removed before its scan' }
  const log = deps.log.child({ sshNode: name, runId: request.runId })
  const fail = async (reason: string): Promise<ScanOutcome> => {
    await deps.nodes.recordScan(name, { nodeId: null, at: deps.clock(), error: reason })
    log.warn({ reason }, 'ssh scan failed')
    return { ok: false, reason }
  }
  const credentials = await credentialsFor(node, deps.agentSocket)
  if ('reason' in credentials) return fail(credentials.reason)

  const scoring = deps.scoring()
  let report: Report
  try {
    const result = await scanOverSsh({
      target: node.target,
      ...credentials,
      sudo: node.sudo,
      connectTimeoutMs: deps.connectTimeoutMs,
      maxChannels: deps.maxChannelsPerHost,
      pins: deps.nodes.pins(deps.clock),
      scan: { ruleSet: scoring.ruleSet, waivers: scoring.waivers, labels: node.labels, domains: request.domains, config: deps.scanConfig, clock: deps.clock },
    })
    if (result.newPin) log.info({ keyType: result.newPin.keyType, fingerprint: result.newPin.fingerprint }, 'host key pinned on first use')
    report = result.report
  } catch (err) {
    if (!(err instanceof HostKeyChangedError)) return fail(errorMessage(err))
    log.error({ pinned: err.pinned.fingerprint, presented: err.presented?.fingerprint ?? null }, 'ssh host key changed; scan refused')
    await deps.nodes.recordRefused(hostKeyId(node.target.host, node.target.port), err.presented, deps.clock())
    const refused = refusedScanReport({
      error: err,
      identity: node.nodeId ? ((await deps.store.latestReport(node.nodeId))?.node ?? null) : null,
      sshNodeName: node.name,
      target: formatSshTarget(node.target),
      sudo: node.sudo,
      domains: request.domains,
      ruleSet: scoring.ruleSet,
      waivers: scoring.waivers,
      labels: node.labels,
      now: deps.clock(),
    })
    const stored = await store(deps, node, refused, scoring.scoredWith)
    if (stored) deps.onReport(refused.node.id, refused.scanId)
    return fail(err.message)
  }
  const stored = await store(deps, node, report, scoring.scoredWith)
  if (stored !== null) return fail(stored)
  await deps.nodes.recordScan(name, { nodeId: report.node.id, at: deps.clock(), error: null })
  deps.onReport(report.node.id, report.scanId)
  log.info({ nodeId: report.node.id, scanId: report.scanId, score: report.score.score }, 'ssh scan stored')
  return { ok: true, nodeId: report.node.id, scanId: report.scanId }
}

/** Stores the report like an agent's; the error, or null when stored. */
async function store(deps: SshExecutorDeps, node: SshNode, report: Report, scoredWith: string): Promise<string | null> {
  const [result] = await deps.store.ingest([
    { kind: 'scan', agentId: null, seq: null, report, agentRulesVersion: null, scoredWith, receivedAt: deps.clock(), labels: node.labels, agentVersion: null },
  ])
  if (result?.status === 'failed') return `storing the report failed: ${result.error}`
  return null
}

/** The key file's text (read at each scan, so rotation needs no change here) or the agent socket. */
async function credentialsFor(node: SshNode, agentSocket: string | undefined): Promise<{ privateKey: string } | { agent: string } | { reason: string }> {
  if (node.key === 'agent') {
    return agentSocket ? { agent: agentSocket } : { reason: 'the node authenticates with ssh-agent, but the collector has no SSH_AUTH_SOCK' }
  }
  try {
    return { privateKey: await readFile(node.key, 'utf8') }
  } catch (err) {
    return { reason: `cannot read the private key ${node.key} (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})` }
  }
}
