import { resolve, join } from 'node:path'
import { pino } from 'pino'
import type { Command } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'
import { parseDomains } from '../options.js'
import { waitForAbort } from '../wait-for-abort.js'
import { parseDuration } from '../../agent/agent-duration.js'
import { Agent } from '../../agent/agent-runtime.js'
import { loadAgentState, saveAgentState, type AgentState } from '../../agent/agent-state.js'
import { enroll } from '../../agent/agent-transport.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { defaultScanConfig } from '../../agent/scan-config.js'
import { postureVersion } from '../../agent/version.js'
import { parseJoinString } from '../../agent/wire/join-string.js'
import type { Collector } from '../../collector/build-collector.js'
import { buildFullCollector } from '../../collector/full-collector.js'
import { createJoinString, ensureAdminUser } from '../../collector/collector-admin.js'
import { resolveCollectorConfig } from '../../collector/collector-config.js'
import { PostureError } from '../../rules/posture-error.js'
import { hostname } from 'node:os'

const help = `Usage: posture start [--data DIR] [--port PORT] [--only DOMAINS] [--interval DURATION]

What 'npm start' runs: a collector on 127.0.0.1 with its SQLite data in ./posture-data
(TLS, self-signed certificate made on first start), the 'admin' user (its one-time
password printed on first start only), and an agent for this machine joined to it. Waits
for the first scan to be stored, prints the dashboard URL, and runs until Ctrl-C.
Starting again keeps everything.

Options:
  --data DIR           data directory (default ./posture-data; the local agent keeps its state in DIR/agent)
  --port PORT          port (default 8443; a free port is used when it is taken; 0: any free port)
  --only DOMAINS       domains the local agent scans (default: all)
  --interval DURATION  the local agent's scan interval (default 1h)
  -h, --help           show this help`

export const startCommand: Command = {
  name: 'start',
  help,
  async run(args, io) {
    const { values } = parseCommandArgs('start', args, {
      data: { type: 'string' },
      port: { type: 'string' },
      only: { type: 'string' },
      interval: { type: 'string' },
    })
    if (values.help) {
      io.stdout.write(help + '\n')
      return 0
    }
    const port = values.port === undefined ? 8443 : Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PostureError('BAD_USAGE', `--port: "${values.port}" is not a port number`)
    const domains = parseDomains(values.only)
    const intervalMs = parseDuration(values.interval ?? '1h', '--interval')
    const dataDir = resolve(io.cwd, values.data ?? 'posture-data')
    const config = resolveCollectorConfig({}, { dataDir, listen: { host: '127.0.0.1', port } }, io.cwd)

    // The collector logs JSON to a file in the data directory; the terminal gets the summary.
    const log = pino({ level: 'info' }, pino.destination({ dest: join(dataDir, 'collector.log'), mkdir: true, sync: false }))
    const collector = await buildFullCollector(config, { env: io.env, logger: log })
    let agent: Agent | null = null
    try {
      const url = await collector.start({ fallbackToFreePort: values.port === undefined })
      const admin = await ensureAdminUser(collector.store, new Date())
      const agentDir = join(dataDir, 'agent')
      const state = await localAgentState(collector, agentDir, url)
      agent = new Agent({ stateDir: agentDir, state, host: new LocalHost(), domains, scanConfig: defaultScanConfig, intervalMs, log: log.child({ component: 'local-agent', agentId: state.agentId }) })
      const firstAck = new Promise<void>((done, fail) => {
        agent!.once('acked', () => done())
        agent!.once('fatal', ({ reason }) => fail(new PostureError('CONNECT_FAILED', `the local agent stopped: ${reason}`)))
      })
      io.stderr.write(`posture start: collector on ${url}; scanning this machine…\n`)
      agent.start()
      await Promise.race([firstAck, waitForAbort(io.signal)])
      if (io.signal.aborted) return 0

      const nodes = await collector.store.listNodes()
      const self = nodes.find((n) => n.agentId === state.agentId)
      const lines = [
        '',
        'Posture is running.',
        '',
        `  Dashboard:    ${url}/`,
        admin
          ? `  First login:  ${admin.username} / ${admin.password}   (shown once; you set your own password at first login)`
          : '  Login:        the admin user exists (its one-time password was shown at the first start)',
        collector.tls ? `  Certificate:  SHA-256 ${collector.tls.fingerprint} (self-signed: check this fingerprint when your browser asks)` : '  Certificate:  none (plain HTTP)',
        self ? `  This node:    ${self.hostname}: score ${self.score ?? 'n/a'}${self.grade ? ` (${self.grade})` : ''}, coverage ${self.coverage === null ? 'n/a' : `${Math.round(self.coverage * 100)}%`}` : '',
        `  Nodes:        ${nodes.length}`,
        '',
        `Join more nodes:  posture collector token --data ${values.data ?? 'posture-data'}   then on each node: posture agent --join '<string>'`,
        `API token:        posture collector api-token --data ${values.data ?? 'posture-data'} --role auditor`,
        `Logs:             ${join(dataDir, 'collector.log')}`,
        `Stop with Ctrl-C; everything stays in ${dataDir}.`,
        '',
      ]
      io.stdout.write(lines.filter((l, i) => l !== '' || i === 0 || lines[i - 1] !== '').join('\n') + '\n')
      await waitForAbort(io.signal)
      io.stderr.write('posture start: stopping\n')
      return 0
    } finally {
      if (agent) await agent.stop()
      await collector.close()
      log.flush()
    }
  },
}

/** The local agent's state: enrolled on first start; on later starts, pointed at this run's URL. */
async function localAgentState(collector: Collector, agentDir: string, url: string): Promise<AgentState> {
  const existing = loadAgentState(agentDir)
  if (existing && (await collector.store.findAgent(existing.agentId))?.revokedAt === null) {
    // Same certificate, maybe another port (the fixed one was taken): follow the collector.
    const current = { ...existing, collectorUrl: url, fingerprint: collector.tls?.fingerprint ?? null }
    if (current.collectorUrl !== existing.collectorUrl || current.fingerprint !== existing.fingerprint) saveAgentState(agentDir, current)
    return current
  }
  const { joinString } = await createJoinString(collector.store, { labels: { local: 'true' }, ttlMs: 60_000, now: new Date(), url })
  const join = parseJoinString(joinString)
  const enrolled = await enroll(join.url, join.fingerprint, { token: join.token, hostname: hostname(), agentVersion: postureVersion() })
  const state: AgentState = { v: 1, collectorUrl: join.url, fingerprint: join.fingerprint, agentId: enrolled.agentId, credential: enrolled.credential, labels: enrolled.labels, enrolledAt: new Date().toISOString() }
  saveAgentState(agentDir, state)
  return state
}
