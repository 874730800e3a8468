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
