import { LocalHost } from '../../agent/host/local-host.js'
import { RecordingHost } from '../../agent/host/recording-host.js'
import { snapshotFrom } from '../../agent/gather-snapshot.js'
import { writeSnapshotFile } from '../options.js'
import { SnapshotHost } from '../../agent/host/snapshot-host.js'
import { buildReport, gatherFacts, scanHost } from '../../agent/scan.js'
import { randomUUID } from 'node:crypto'
import type { Report } from '../../rules/report.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { atLeast } from '../../rules/severity.js'
import type { Command } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'
import { loadScanConfig, parseDomains, parseInstant, parseSeverity, readSnapshotFile } from '../options.js'
import { renderReport } from '../render-report.js'

export const scanCommand: Command = {
  name: 'scan',
  help: `Usage: posture scan [options]

Gathers evidence from this machine, evaluates the rules and prints a report: node,
score, grade, coverage, per-domain scores, and findings with remediation.

Options:
  --only DOMAINS       comma-separated domains: system, tls, http, patches, network,
                       storage, access, dns (default: all)
  --snapshot FILE      evaluate a snapshot written by 'posture gather' instead of this machine
  --rules DIR          add a directory of rule files (repeatable); they may override params
  --config FILE        scan configuration (YAML): TLS targets, network policy, backups
  --json               print the posture.report/v1 JSON document
  --fail-on SEVERITY   exit 1 when an unwaived failure at or above SEVERITY exists
                       (critical, high, medium, low, info)
  --now TIME           evaluate as of TIME (ISO 8601) instead of the gather time
  --save-snapshot FILE also write everything this scan read, as a snapshot: replaying it
                       with --snapshot gives this very report
  -h, --help           show this help

Exit codes: 0 done, 1 failures at or above --fail-on, 2 bad usage or input, 3 could not run.

Examples:
  posture scan
  posture scan --only tls,http --fail-on high
  posture gather --out node.json && posture scan --snapshot node.json --json`,
  async run(args, io) {
    const { values } = parseCommandArgs('scan', args, {
      only: { type: 'string' },
      snapshot: { type: 'string' },
      rules: { type: 'string', multiple: true },
      config: { type: 'string' },
      json: { type: 'boolean' },
      'fail-on': { type: 'string' },
      now: { type: 'string' },
      'save-snapshot': { type: 'string' },
    })
    if (values.help) {
      io.stdout.write(this.help + '\n')
      return 0
    }
    const domains = parseDomains(values.only)
    const failOn = parseSeverity(values['fail-on'], '--fail-on')
    const now = parseInstant(values.now, '--now')
    const ruleSet = loadRuleSet({ userDirs: values.rules ?? [] })
    const config = loadScanConfig(values.config)

    let report: Report
    if (values.snapshot !== undefined) {
      const snapshot = readSnapshotFile(values.snapshot)
      const host = new SnapshotHost(snapshot, values.snapshot)
      const gatheredAt = new Date(snapshot.gatheredAt)
      const gathered = await gatherFacts(host, domains, config, gatheredAt)
      report = buildReport(gathered, {
        ruleSet,
        domains,
        now: now ?? gatheredAt,
        scanId: randomUUID(),
        source: host.description,
        startedAt: gatheredAt,
        finishedAt: gatheredAt,
      })
    } else {
      const recorder = values['save-snapshot'] === undefined ? null : new RecordingHost(new LocalHost())
      report = await scanHost(recorder ?? new LocalHost(), { ruleSet, domains, config, ...(now ? { clock: () => now } : {}) })
      if (recorder) await writeSnapshotFile(values['save-snapshot']!, snapshotFrom(recorder, domains, new Date(report.startedAt)))
    }

    io.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report, { color: io.color }))
    if (failOn && report.findings.some((f) => f.status === 'fail' && atLeast(f.severity, failOn))) return 1
    return 0
  },
}
