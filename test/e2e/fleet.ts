import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Agent } from '../../agent/agent-runtime.js'
import { SnapshotHost } from '../../agent/host/snapshot-host.js'
import { buildReport, gatherFacts } from '../../agent/scan.js'
import { defaultScanConfig } from '../../agent/scan-config.js'
import { snapshotSchema, type Snapshot } from '../../agent/snapshot.js'
import { scoredWith } from '../../collector/agent-handlers.js'
import type { Collector } from '../../collector/build-collector.js'
import type { Domain } from '../../rules/domains.js'
import { domains as allDomains } from '../../rules/domains.js'
import { packageRoot } from '../../rules/package-root.js'
import { eventCount, joinAgent, systemSnapshot } from '../integration/collector-fixtures.js'

/**
 * A small fleet of real agents for the dashboard tests, each scanning a SnapshotHost so
 * that its findings are known: `system`-only nodes whose clock is synchronised or not,
 * and full nodes replaying a snapshot of the project's Debian 12 sandbox (every domain,
 * dozens of findings). Snapshots are kept by reference so a test can change a node's
 * machine between two scans.
 */
export interface FleetNode {
  hostname: string
  kind: 'system' | 'full'
  synchronized?: boolean
  labels: Record<string, string>
}

export interface RunningNode {
  node: FleetNode
  snapshot: Snapshot
  agent: Agent
}

// From the package root, so that the compiled copy in dist/ (npm run bench) finds it too.
const sandbox = snapshotSchema.parse(JSON.parse(readFileSync(join(packageRoot(), 'test', 'e2e', 'fixtures', 'sandbox-debian12.snapshot.json'), 'utf8')))

export function snapshotOf(node: FleetNode, at = new Date()): Snapshot {
  const synchronized = node.synchronized ?? true
  if (node.kind === 'system') return systemSnapshot({ hostname: node.hostname, synchronized }, at)
  const copy = structuredClone(sandbox)
  copy.files['/proc/sys/kernel/hostname'] = { content: `${node.hostname}\n` }
  copy.files['/etc/machine-id'] = { content: `${node.hostname.replace(/[^a-z0-9]/g, '').padEnd(32, '7').slice(0, 32)}\n` }
  copy.commands['timedatectl show'] = { stdout: `NTP=yes\nNTPSynchronized=${synchronized ? 'yes' : 'no'}\n`, stderr: '', exitCode: 0 }
  return copy
}

export function domainsOf(node: FleetNode): Domain[] {
  return node.kind === 'system' ? ['system'] : [...allDomains]
}

/** Joins every node through the real enrollment and waits for each one's first report. */
export async function startFleet(collector: Collector, nodes: readonly FleetNode[]): Promise<{ running: RunningNode[]; stop(): Promise<void> }> {
  const dirs: string[] = []
  const reports = eventCount(collector.events, 'report', nodes.length)
  const running: RunningNode[] = []
  for (const node of nodes) {
    const stateDir = mkdtempSync(join(tmpdir(), 'posture-e2e-agent-'))
    dirs.push(stateDir)
    const state = await joinAgent(collector, stateDir, node.labels)
    const snapshot = snapshotOf(node)
    const agent = new Agent({
      stateDir,
      state,
      host: new SnapshotHost(snapshot, node.hostname),
      domains: domainsOf(node),
      scanConfig: defaultScanConfig,
      intervalMs: 3_600_000,
      log: pino({ level: 'silent' }),
      backoff: { baseMs: 20, maxMs: 200 },
      scanOnStart: true,
    })
    agent.start()
    running.push({ node, snapshot, agent })
  }
  await reports
  return {
    running,
    async stop() {
      await Promise.all(running.map((r) => r.agent.stop()))
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Thirty days of history for the trend charts, through the store's real ingest path:
 * each node's scans at 06:00 UTC on the days before today, its clock drifting out of
 * sync on some of them.
 */
export async function seedHistory(collector: Collector, nodes: readonly FleetNode[], days: number, now = new Date()): Promise<void> {
  const state = collector.scoring()
  for (let d = days; d >= 1; d--) {
    const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - d, 6))
    const items = []
    for (const [i, node] of nodes.entries()) {
      const drifting = node.kind === 'system' && (d + i) % 7 === 0
      const snapshot = snapshotOf({ ...node, synchronized: drifting ? false : (node.synchronized ?? true) }, at)
      const host = new SnapshotHost(snapshot, node.hostname)
      const nodeDomains = domainsOf(node)
      const gathered = await gatherFacts(host, nodeDomains, defaultScanConfig, at)
      const report = buildReport(gathered, { ruleSet: state.ruleSet, domains: nodeDomains, now: at, scanId: `seed-${node.hostname}-${d}`, source: host.description, startedAt: at, finishedAt: at })
      items.push({ kind: 'scan' as const, agentId: null, seq: null, report, agentRulesVersion: null, scoredWith: scoredWith(state), receivedAt: at, labels: node.labels, agentVersion: null })
    }
    await collector.store.ingest(items)
  }
}
