import { gatherSnapshot } from '../../agent/gather-snapshot.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { PostureError } from '../../rules/posture-error.js'
import type { Command } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'
import { loadScanConfig, parseDomains, writeSnapshotFile } from '../options.js'

export const gatherCommand: Command = {
  name: 'gather',
  help: `Usage: posture gather --out FILE [--only DOMAINS] [--config FILE]

Runs the gatherers against this machine and writes a posture.snapshot/v1 JSON file
holding every file read, command run (with output and exit code) and network probe
made. 'posture scan --snapshot FILE' evaluates it anywhere with the same result.
Secrets (password hashes, keys) are redacted before they are recorded.

Options:
  --out FILE         where to write the snapshot (written atomically)
  --only DOMAINS     comma-separated domains (default: all)
  --config FILE      scan configuration (YAML)
  -h, --help         show this help`,
  async run(args, io) {
    const { values } = parseCommandArgs('gather', args, {
      out: { type: 'string' },
      only: { type: 'string' },
      config: { type: 'string' },
    })
    if (values.help) {
      io.stdout.write(this.help + '\n')
      return 0
    }
    if (values.out === undefined) throw new PostureError('BAD_USAGE', 'posture gather: --out FILE is required (see posture gather --help)')
    const domains = parseDomains(values.only)
    const config = loadScanConfig(values.config)
    const snapshot = await gatherSnapshot(new LocalHost(), domains, config, new Date())
    await writeSnapshotFile(values.out, snapshot)
    const counts = `${Object.keys(snapshot.files).length} files, ${Object.keys(snapshot.commands).length} commands, ${Object.keys(snapshot.probes).length} probes`
    io.stderr.write(`wrote ${values.out} (${counts})\n`)
    return 0
  },
}
