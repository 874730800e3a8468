import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { pino } from 'pino'
import type { Command } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'
import { parseDomains } from '../parse-domains.js'
import { waitForAbort } from '../wait-for-abort.js'
import { parseDuration } from '../../agent/agent-duration.js'
import { Agent } from '../../agent/agent-runtime.js'
import { ForkedScanRunner, setUpAgentInChild } from '../../agent/forked-scan-runner.js'

/*
 * This process is the long-lived agent: it must not load zod, the rule engine, the
 * catalogue or the gatherers (idle RSS ≤ 60 MB, DESIGN.md "Performance targets"). So
 * enrolling, loading the state, checking --config and reading the rules version happen in a
 * short-lived child (agent/scan-child.ts), and so does every scan (ForkedScanRunner).
 */
const help = `Usage: posture agent [--join STRING] [--state DIR] [--interval DURATION] [--only DOMAINS] [--config FILE]

Runs the agent: scans this machine every --interval (with ±10% jitter) and whenever the
collector asks, writes each report to its spool, streams it to the collector and deletes
it once acknowledged. The first run needs --join with the string from
'posture collector token'; the credential is kept (mode 0600) in the state directory.

Options:
  --join STRING        enroll with the collector (one-time), pinning its certificate
  --state DIR          state directory (default /var/lib/posture-agent as root, ./posture-agent otherwise)
  --interval DURATION  time between scans: 30s, 5m, 1h (default 1h)
  --only DOMAINS       comma-separated domains to scan (default: all)
  --config FILE        scan configuration (YAML), as for 'posture scan'
  -h, --help           show this help

Exit codes: 0 stopped, 2 bad usage, 3 could not run (e.g. the credential was revoked).`

export const agentCommand: Command = {
  name: 'agent',
  help,
  async run(args, io) {
    const { values } = parseCommandArgs('agent', args, {
      join: { type: 'string' },
      state: { type: 'string' },
      interval: { type: 'string' },
      only: { type: 'string' },
      config: { type: 'string' },
    })
    if (values.help) {
      io.stdout.write(help + '\n')
      return 0
    }
    // The long-lived process only moves frames, files and timers; V8's optimizing compiler
    // would page in its own code and keep optimized code for nothing (~2 MB of idle RSS
    // measured with npm run bench -- agent-idle). Scan children are fresh processes, unaffected.
    setFlagsFromString('--no-opt')
    const intervalMs = parseDuration(values.interval ?? '1h', '--interval')
    const domains = parseDomains(values.only)
    const configPath = values.config !== undefined ? resolve(io.cwd, values.config) : null
    const setup = await setUpAgentInChild({
      stateDir: values.state !== undefined ? resolve(io.cwd, values.state) : null,
      cwd: io.cwd,
      isRoot: process.getuid?.() === 0,
      join: values.join ?? null,
      configPath,
      hostname: hostname(),
    })
    const { stateDir, state } = setup
    if (setup.joined) io.stderr.write(`posture agent: joined ${setup.joined.url} as ${setup.joined.agentId}; credential saved in ${stateDir}\n`)

    const log = pino({ level: 'info', base: { agentId: state.agentId } }, pino.destination(2))
    const scanner = new ForkedScanRunner({ stateDir, configPath })
    const agent = new Agent({ stateDir, state, scanner, rulesVersion: setup.rulesVersion, domains, intervalMs, log })
    let fatal: string | null = null
    agent.on('fatal', ({ reason }) => {
      fatal = reason
    })
    agent.start()
    await Promise.race([waitForAbort(io.signal), new Promise<void>((done) => agent.once('fatal', () => done()))])
    await agent.stop()
    if (fatal !== null) {
      io.stderr.write(`posture agent: ${fatal}\n`)
      return 3
    }
    return 0
  },
}
