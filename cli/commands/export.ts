import { resolve } from 'node:path'
import { openCliBackend } from '../admin-backend.js'
import { resolveCollectorConfig } from '../../collector/collector-config.js'
import { runExport } from '../../collector/evidence/run-export.js'
import { parseLabels } from '../../collector/collector-admin.js'
import { postureVersion } from '../../agent/version.js'
import { loadFrameworks } from '../../rules/frameworks/framework-catalogue.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { PostureError } from '../../rules/posture-error.js'
import type { Command } from '../command.js'
import { parseInstant } from '../options.js'
import { parseCommandArgs } from '../parse-args.js'
import { userInfo } from 'node:os'

const dayMs = 86_400_000

export const exportCommand: Command = {
  name: 'export',
  help: `Usage: posture export --framework F --out FILE [--data DIR | --database URL] [--from DATE --to DATE] [--labels k=v,...] [--rules DIR]...

Writes an evidence archive an auditor can check offline (posture verify): per-control
results, every finding with its evidence, waivers, manual evidence, the audit log of the
window with its hash chain, report.html and report.pdf, and manifest.json with the
SHA-256 of every file, signed with the collector's Ed25519 key.

Options:
  --framework F     soc2 | iso27001 | pci-dss-4 | cis-v8 | nist-800-53
  --out FILE        where to write the zip
  --data DIR        the collector's data directory (default ./posture-data)
  --from DATE       window start, inclusive (ISO 8601; default 90 days before --to)
  --to DATE         window end, exclusive (default now)
  --labels k=v,...  only nodes with all of these labels
  --rules DIR       the collector's user rule directories (for their framework mappings)
  -h, --help        show this help

Example:
  posture export --framework soc2 --from 2026-01-01 --to 2026-04-01 --out soc2-q1.zip`,
  async run(args, io) {
    const { values } = parseCommandArgs('export', args, {
      framework: { type: 'string' },
      out: { type: 'string' },
      data: { type: 'string' },
      database: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      labels: { type: 'string' },
      rules: { type: 'string', multiple: true },
    })
    if (values.help) {
      io.stdout.write(`${this.help}\n`)
      return 0
    }
    if (!values.framework) throw new PostureError('BAD_USAGE', `posture export: --framework is required (one of ${[...loadFrameworks().keys()].join(', ')})`)
    if (!values.out) throw new PostureError('BAD_USAGE', 'posture export: --out FILE is required')
    const now = new Date()
    const to = parseInstant(values.to, '--to') ?? now
    const from = parseInstant(values.from, '--from') ?? new Date(to.getTime() - 90 * dayMs)
    if (from.getTime() >= to.getTime()) throw new PostureError('BAD_USAGE', `posture export: --from (${from.toISOString()}) must be before --to (${to.toISOString()})`)
    const dataDir = resolveCollectorConfig({}, values.data !== undefined ? { dataDir: values.data } : {}, io.cwd).dataDir
    const ruleSet = loadRuleSet({ userDirs: (values.rules ?? []).map((d) => resolve(io.cwd, d)) })
    const backend = await openCliBackend(values, io)
    try {
      const out = resolve(io.cwd, values.out)
      const manifest = await runExport(
        { source: backend.evidence, dataDir, ruleSet, collectorVersion: postureVersion(), audit: backend.audit, now },
        { framework: values.framework, window: { from, to }, labels: parseLabels(values.labels), exportedBy: `cli:${userInfo().username}`, ip: null, out },
      )
      io.stdout.write(`${out}\n`)
      io.stderr.write(
        `${manifest.framework.name} evidence for ${manifest.window.from} to ${manifest.window.to}: ${manifest.counts.scans} scans of ${manifest.counts.nodes} nodes, ` +
          `${manifest.counts.controls} controls, ${manifest.files.length} files; signed by ${manifest.signingKey.fingerprint}\n`,
      )
      return 0
    } finally {
      await backend.close()
    }
  },
}
