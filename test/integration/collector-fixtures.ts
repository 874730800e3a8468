import { randomUUID } from 'node:crypto'
import { SnapshotHost } from '../../agent/host/snapshot-host.js'
import { snapshotSchemaId, type Snapshot } from '../../agent/snapshot.js'
import { buildReport, gatherFacts } from '../../agent/scan.js'
import { defaultScanConfig } from '../../agent/scan-config.js'
import type { RuleSet } from '../../rules/load-rules.js'
import type { Report } from '../../rules/report.js'

/**
 * A fake node for collector and agent tests: a snapshot of the `system` domain's files and
 * commands, so that the scan's results are known (time-sync.* pass or fail on demand).
 */
export interface FakeNode {
  hostname: string
  machineId?: string
  synchronized?: boolean
  ntp?: boolean
}

export function systemSnapshot(node: FakeNode, gatheredAt = new Date('2026-03-02T10:00:00Z')): Snapshot {
  const machineId = node.machineId ?? `${node.hostname.replace(/[^a-z0-9]/g, '')}`.padEnd(32, '0').slice(0, 32)
  return {
    schema: snapshotSchemaId,
    postureVersion: '0.1.0',
    host: { description: `fake:${node.hostname}` },
    gatheredAt: gatheredAt.toISOString(),
    domains: ['system'],
    files: {
      '/proc/sys/kernel/hostname': { content: `${node.hostname}\n` },
      '/etc/machine-id': { content: `${machineId}\n` },
      '/etc/os-release': { content: 'ID=debian\nNAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
      '/proc/sys/kernel/osrelease': { content: '6.1.0-18-amd64\n' },
      '/proc/uptime': { content: '12345.67 2345.67\n' },
    },
    dirs: {},
    commands: {
      'uname -m': { stdout: 'x86_64\n', stderr: '', exitCode: 0 },
      'systemd-detect-virt': { stdout: 'kvm\n', stderr: '', exitCode: 0 },
      'timedatectl show': {
        stdout: `NTP=${node.ntp ?? true ? 'yes' : 'no'}\nNTPSynchronized=${node.synchronized ?? true ? 'yes' : 'no'}\n`,
        stderr: '',
        exitCode: 0,
      },
    },
    probes: {},
  }
}

export function fakeHost(node: FakeNode): SnapshotHost {
  return new SnapshotHost(systemSnapshot(node), node.hostname)
}

/** A report for `node` as an agent would send it, at `at`. */
export async function fakeReport(ruleSet: RuleSet, node: FakeNode, at: Date, scanId: string = randomUUID()): Promise<Report> {
  const host = fakeHost(node)
  const gathered = await gatherFacts(host, ['system'], defaultScanConfig, at)
  return buildReport(gathered, { ruleSet, domains: ['system'], now: at, scanId, source: host.description, startedAt: at, finishedAt: at })
}

// ── a real collector and real agents, in process ─────────────────────────────────

import { Writable } from 'node:stream'
import { pino, type Logger } from 'pino'
import { buildCollector, type Collector } from '../../collector/build-collector.js'
import { resolveCollectorConfig, type CollectorConfigInput } from '../../collector/collector-config.js'
import { createApiToken, createJoinString } from '../../collector/collector-admin.js'
import { Agent } from '../../agent/agent-runtime.js'
import { saveAgentState, type AgentState } from '../../agent/agent-state.js'
import { enroll } from '../../agent/agent-transport.js'
import { parseJoinString } from '../../agent/wire/join-string.js'

/** A pino logger whose JSON lines tests can search. */
export function captureLog(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      done()
    },
  })
  return { log: pino({ level: 'debug' }, sink), lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

export async function startCollector(dataDir: string, overrides: CollectorConfigInput = {}, log?: Logger): Promise<Collector> {
  const config = resolveCollectorConfig({}, { dataDir, listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 }, ...overrides }, dataDir)
  const collector = await buildCollector(config, { logger: log ?? pino({ level: 'silent' }) })
  await collector.start()
  return collector
}

/** Enrolls through the real join flow (HTTP over the pinned TLS) and returns the saved state. */
export async function joinAgent(collector: Collector, stateDir: string, labels: Record<string, string> = {}): Promise<AgentState> {
  const { joinString } = await createJoinString(collector.backend.store, { labels, ttlMs: 60_000, now: new Date() })
  const join = parseJoinString(joinString)
  const enrolled = await enroll(join.url, join.fingerprint, { token: join.token, hostname: 'test-host', agentVersion: '0.1.0' })
  const state: AgentState = { v: 1, collectorUrl: join.url, fingerprint: join.fingerprint, agentId: enrolled.agentId, credential: enrolled.credential, labels: enrolled.labels, enrolledAt: new Date().toISOString() }
  saveAgentState(stateDir, state)
  return state
}

export function fakeAgent(stateDir: string, state: AgentState, node: FakeNode, options: { scanOnStart?: boolean; log?: Logger } = {}): Agent {
  return new Agent({
    stateDir,
    state,
    host: fakeHost(node),
    domains: ['system'],
    scanConfig: defaultScanConfig,
    intervalMs: 3_600_000,
    log: options.log ?? pino({ level: 'silent' }),
    backoff: { baseMs: 20, maxMs: 200 },
    scanOnStart: options.scanOnStart ?? true,
  })
}

export async function apiToken(collector: Collector, role: 'admin' | 'operator' | 'auditor' = 'admin'): Promise<string> {
  return (await createApiToken(collector.backend.store, role, 'test', new Date())).token
}

/** Resolves when `emitter` has emitted `event` `count` times (counting from now). */
export function eventCount(emitter: { on(event: string, listener: (...args: unknown[]) => void): unknown; off(event: string, listener: (...args: unknown[]) => void): unknown }, event: string, count: number): Promise<unknown[]> {
  return new Promise((resolve) => {
    const seen: unknown[] = []
    const listener = (arg: unknown) => {
      seen.push(arg)
      if (seen.length === count) {
        emitter.off(event, listener)
        resolve(seen)
      }
    }
    emitter.on(event, listener)
  })
}
