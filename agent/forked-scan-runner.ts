import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { PostureError, errorCodes, type ErrorCode } from '../rules/posture-error.js'
import type { AgentSetup, ScanChildReply, ScanChildRequest, ScanChildResult } from './scan-child-protocol.js'
import type { ScanJob, ScanOutcome, ScanRunner } from './scan-runner.js'

export interface ForkedScanRunnerOptions {
  stateDir: string
  /** The scan config file (`--config`), read by each child; null for the defaults. */
  configPath: string | null
  /** A scan child still running after this is killed and the scan reported failed (default 15 min). */
  scanTimeoutMs?: number
  /** The child's entry module (default: agent/scan-child.js beside this file). */
  childModule?: string
}

const defaultChildModule = fileURLToPath(new URL('./scan-child.js', import.meta.url))
/** Enrolling, applying a rule pack or reading the rules version: no gathering, so minutes are plenty. */
const shortJobTimeoutMs = 120_000
/** After SIGTERM, a child gets this long to exit before SIGKILL. */
const terminateGraceMs = 2_000

/**
 * Runs each scan (and each rule-pack install) in a short-lived child process
 * (agent/scan-child.ts), so the long-lived agent process holds only its connection, spool
 * and timers. A child that crashes, is killed, answers nothing or outlives its timeout
 * rejects the job with the reason: the agent reports it as a failed scan, never a pass.
 */
export class ForkedScanRunner implements ScanRunner {
  readonly #o: Required<ForkedScanRunnerOptions>
  readonly #children = new Set<ChildProcess>()
  #stopped = false

  constructor(options: ForkedScanRunnerOptions) {
    this.#o = { scanTimeoutMs: 15 * 60_000, childModule: defaultChildModule, ...options }
  }

  rulesVersion(): Promise<string> {
    return this.#run('rules-version', { kind: 'rules-version', stateDir: this.#o.stateDir }, shortJobTimeoutMs)
  }

  scan(job: ScanJob): Promise<ScanOutcome> {
    return this.#run('scan', { kind: 'scan', stateDir: this.#o.stateDir, configPath: this.#o.configPath, job }, this.#o.scanTimeoutMs)
  }

  applyRules(files: Readonly<Record<string, string>>): Promise<string> {
    return this.#run('apply-rules', { kind: 'apply-rules', stateDir: this.#o.stateDir, files: { ...files } }, shortJobTimeoutMs)
  }

  /** Terminates every running child (SIGTERM, then SIGKILL after a grace period) and waits for them to exit. */
  async stop(): Promise<void> {
    this.#stopped = true
    await Promise.all([...this.#children].map((child) => terminate(child)))
  }

  async #run<K extends ScanChildRequest['kind']>(kind: K, request: Extract<ScanChildRequest, { kind: K }>, timeoutMs: number): Promise<ScanChildResult[K]> {
    if (this.#stopped) throw new PostureError('INTERNAL', `${kind}: the agent is stopping`)
    const { result, maxRssBytes, cpuMs } = await runChild(this.#o.childModule, request, timeoutMs, this.#children)
    const value = result as ScanChildResult[K]
    if (kind === 'scan') return { ...(value as ScanOutcome), peakRssBytes: maxRssBytes, childCpuMs: cpuMs } as ScanChildResult[K]
    return value
  }
}

/**
 * `posture agent`'s start-up in a child: enrolls when given a join string, loads the agent
 * state, checks the scan config file and reads the rules version, so that the long-lived
 * process never loads zod for them. Errors keep their PostureError code (exit 2 or 3).
 */
export async function setUpAgentInChild(request: Omit<Extract<ScanChildRequest, { kind: 'setup' }>, 'kind'>, childModule = defaultChildModule): Promise<AgentSetup> {
  const { result } = await runChild(childModule, { kind: 'setup', ...request }, shortJobTimeoutMs, new Set())
  return result as AgentSetup
}

function runChild(module: string, request: ScanChildRequest, timeoutMs: number, children: Set<ChildProcess>): Promise<{ result: unknown; maxRssBytes: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    // execArgv empty: the child must not inherit a test runner's loader or the parent's flags.
    const child = fork(module, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' })
    children.add(child)
    let reply: ScanChildReply | null = null
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.once('message', (message) => {
      reply = message as ScanChildReply
    })
    child.once('error', (err) => {
      // Spawning failed (or a kill did): 'exit' may never come, so settle here.
      clearTimeout(timer)
      children.delete(child)
      if (child.pid === undefined) reject(new PostureError('INTERNAL', `${request.kind} child could not start: ${err.message}`, { cause: err }))
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      children.delete(child)
      const answered = reply as ScanChildReply | null
      if (answered?.ok === true) return resolve({ result: answered.result, maxRssBytes: answered.maxRssBytes, cpuMs: answered.cpuMs })
      if (answered?.ok === false) return reject(new PostureError(errorCodeOf(answered.code), answered.message))
      if (timedOut) return reject(new PostureError('TIMEOUT', `${request.kind} child did not finish within ${timeoutMs} ms and was killed`))
      reject(new PostureError('INTERNAL', `${request.kind} child ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before answering`))
    })
    child.send(request)
  })
}

function errorCodeOf(code: string | null): ErrorCode {
  return code !== null && Object.hasOwn(errorCodes, code) ? (code as ErrorCode) : 'INTERNAL'
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), terminateGraceMs)
  await exited
  clearTimeout(timer)
}
