import { defaultStateDir, loadAgentState, saveAgentState } from './agent-state.js'
import { enroll } from './agent-transport.js'
import { readConfigFile } from './config-file.js'
import { LocalHost } from './host/local-host.js'
import { InProcessScanRunner } from './in-process-scan-runner.js'
import { defaultScanConfig, scanConfigSchema, type ScanConfig } from './scan-config.js'
import type { AgentSetup, ScanChildReply, ScanChildRequest } from './scan-child-protocol.js'
import { postureVersion } from './version.js'
import { parseJoinString } from './wire/join-string.js'
import { PostureError, errorMessage } from '../rules/posture-error.js'

/**
 * The scan child: a short-lived process `posture agent` forks for each scan (and to enroll,
 * check its setup and apply rule packs), so that the long-lived agent process never loads
 * zod, the rule engine, the catalogue or the gatherers (idle RSS ≤ 60 MB, DESIGN.md
 * "Performance targets"). It takes one request over IPC, answers once, and exits; whatever
 * a scan allocated goes with it. A process boundary: errors become the reply.
 */
function loadConfig(path: string | null): ScanConfig {
  return path === null ? defaultScanConfig : readConfigFile(path, scanConfigSchema, 'scan config')
}

function runner(stateDir: string, configPath: string | null): InProcessScanRunner {
  return new InProcessScanRunner({ stateDir, host: new LocalHost(), scanConfig: loadConfig(configPath) })
}

async function setup(request: Extract<ScanChildRequest, { kind: 'setup' }>): Promise<AgentSetup> {
  const stateDir = request.stateDir ?? defaultStateDir(request.cwd, request.isRoot)
  loadConfig(request.configPath) // a bad config file is a usage error now, not a failed scan in an hour
  let joined: AgentSetup['joined'] = null
  if (request.join !== null) {
    const join = parseJoinString(request.join)
    const enrolled = await enroll(join.url, join.fingerprint, { token: join.token, hostname: request.hostname, agentVersion: postureVersion() })
    saveAgentState(stateDir, { v: 1, collectorUrl: join.url, fingerprint: join.fingerprint, agentId: enrolled.agentId, credential: enrolled.credential, labels: enrolled.labels, enrolledAt: new Date().toISOString() })
    joined = { url: join.url, agentId: enrolled.agentId }
  }
  const state = loadAgentState(stateDir)
  if (!state) throw new PostureError('BAD_USAGE', `${stateDir}: not enrolled yet; run posture agent --join STRING (from posture collector token)`)
  const rulesVersion = await runner(stateDir, request.configPath).rulesVersion()
  return { stateDir, state, rulesVersion, joined }
}

const handlers: { [K in ScanChildRequest['kind']]: (request: Extract<ScanChildRequest, { kind: K }>) => Promise<unknown> } = {
  setup,
  'rules-version': (r) => runner(r.stateDir, null).rulesVersion(),
  scan: (r) => runner(r.stateDir, r.configPath).scan(r.job),
  'apply-rules': (r) => runner(r.stateDir, null).applyRules(r.files),
}

async function answer(request: ScanChildRequest): Promise<ScanChildReply> {
  try {
    const handler = handlers[request.kind] as (r: ScanChildRequest) => Promise<unknown>
    const result = await handler(request)
    const usage = process.resourceUsage()
    // The child's own CPU (module load, gathering, evaluation), without the commands it ran: those count in the agent's cutime.
    return { ok: true, result, maxRssBytes: usage.maxRSS * 1024, cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000) }
  } catch (err) {
    return { ok: false, code: err instanceof PostureError ? err.code : null, message: errorMessage(err) }
  }
}

if (!process.send) throw new Error('agent/scan-child.js is forked by posture agent, with an IPC channel')
process.once('message', (request: ScanChildRequest) => {
  void answer(request).then((reply) => {
    // Exit once the reply is written: a gatherer's leftover timer or socket must not keep the child alive.
    process.send!(reply, () => process.exit(0))
  })
})
