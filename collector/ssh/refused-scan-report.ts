import { createHash, randomUUID } from 'node:crypto'
import type { HostKeyChangedError } from '../../agent/host/ssh-host.js'
import { buildReport } from '../../agent/scan.js'
import type { Domain } from '../../rules/domains.js'
import type { FactErrors } from '../../rules/facts/facts.js'
import type { RuleSet } from '../../rules/load-rules.js'
import type { NodeIdentity, Report } from '../../rules/report.js'
import { scoreNode } from '../../rules/scoring.js'
import { applyWaivers, type Waiver } from '../../rules/waivers.js'
import { refusedHostKeyFacts, withConnectionFindings } from './scan-over-ssh.js'

/**
 * The report stored for a node whose SSH host key changed: nothing was gathered (the
 * scan was refused before any command ran), so every asked domain's facts are errors
 * naming the refusal (open failures stay open), and `facts.agentless` makes the
 * agentless.ssh-host-key rule fail, a critical finding that opens in the node's history
 * and alerts like any other. Pure.
 */
export interface RefusedScanInput {
  error: HostKeyChangedError
  /** Who the node is: its last known identity (null: never scanned before). */
  identity: NodeIdentity | null
  sshNodeName: string
  target: string
  sudo: boolean
  domains: readonly Domain[]
  ruleSet: RuleSet
  waivers: readonly Waiver[]
  labels: Record<string, string>
  now: Date
  scanId?: string
}

export function refusedScanReport(input: RefusedScanInput): Report {
  const domains = [...input.domains]
  const reason = `not gathered: the SSH scan was refused because the host key changed (${input.error.presented ? `${input.error.presented.keyType} ${input.error.presented.fingerprint}` : 'pinned key type no longer offered'})`
  const factErrors: FactErrors = Object.fromEntries(domains.map((d) => [d, reason]))
  const base = buildReport(
    { facts: { agentless: refusedHostKeyFacts(input.error, input.target, input.sudo) }, factErrors },
    { ruleSet: input.ruleSet, domains, now: input.now, scanId: input.scanId ?? randomUUID(), source: `ssh:${input.target}`, startedAt: input.now, finishedAt: input.now, labels: input.labels },
  )
  const node = input.identity ?? unscannedIdentity(input.sshNodeName, input.target)
  const findings = applyWaivers(base.findings, input.waivers, { nodeId: node.id, labels: input.labels }, input.now)
  const report = { ...base, node, findings, score: scoreNode(findings, input.ruleSet.scoring) }
  return withConnectionFindings(report, { ruleSet: input.ruleSet, waivers: input.waivers, labels: input.labels, now: input.now })
}

/** A node refused at its very first scan (its key was pinned by hand): named after the SSH node. */
function unscannedIdentity(name: string, target: string): NodeIdentity {
  return {
    id: createHash('sha256').update(`posture-node:ssh-node:${name}`).digest('hex').slice(0, 16),
    hostname: target.replace(/^[^@]*@/, ''),
    os: null,
    kernel: null,
    arch: null,
  }
}
