import { hostname } from 'node:os'
import { pino } from 'pino'
import type { Command } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'
import { loadScanConfig, parseDomains } from '../options.js'
import { waitForAbort } from '../wait-for-abort.js'
import { parseDuration } from '../../agent/agent-duration.js'
import { Agent } from '../../agent/agent-runtime.js'
import { defaultStateDir, loadAgentState, saveAgentState } from '../../agent/agent-state.js'
import { enroll } from '../../agent/agent-transport.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { postureVersion } from '../../agent/version.js'
import { parseJoinString } from '../../agent/wire/join-string.js'
import { PostureError } from '../../rules/posture-error.js'
import { resolve } from 'node:path'

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
    const stateDir = values.state !== undefined ? resolve(io.cwd, values.state) : defaultStateDir(io.cwd, process.getuid?.() === 0)
    const intervalMs = parseDuration(values.interval ?? '1h', '--interval')
    const domains = parseDomains(values.only)
    const scanConfig = loadScanConfig(values.config)

    if (values.join !== undefined) {
      const join = parseJoinString(values.join)
      const enrolled = await enroll(join.url, join.fingerprint, { token: join.token, hostname: hostname(), agentVersion: postureVersion() })
      saveAgentState(stateDir, { v: 1, collectorUrl: join.url, fingerprint: join.fingerprint, agentId: enrolled.agentId, credential: enrolled.credential, labels: enrolled.labels, enrolledAt: new Date().toISOString() })
      io.stderr.write(`posture agent: joined ${join.url} as ${enrolled.agentId}; credential saved in ${stateDir}\n`)
    }
    const state = loadAgentState(stateDir)
    if (!state) throw new PostureError('BAD_USAGE', `${stateDir}: not enrolled yet; run posture agent --join STRING (from posture collector token)`)

    const log = pino({ level: 'info', base: { agentId: state.agentId } }, pino.destination(2))
    const agent = new Agent({ stateDir, state, host: new LocalHost(), domains, scanConfig, intervalMs, log })
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
