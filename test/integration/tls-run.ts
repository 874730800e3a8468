import { PassThrough } from 'node:stream'
import { tlsCommand } from '../../cli/commands/tls.js'
import type { CliIO } from '../../cli/command.js'
import { PostureError } from '../../rules/posture-error.js'
import { reportSchema, type Report } from '../../rules/report.js'
import type { Finding } from '../../rules/finding.js'

export interface TlsRun {
  code: number
  stdout: string
  stderr: string
  /** The parsed posture.report/v1, with --json. */
  report: Report | null
  ms: number
}

/** `posture tls ARGS` in-process, exit code and error line as the entry (cli/posture.ts) gives them. */
export async function postureTls(args: string[]): Promise<TlsRun> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const io: CliIO = { stdout, stderr, color: false, env: {}, cwd: process.cwd(), signal: new AbortController().signal }
  const started = performance.now()
  let code: number
  try {
    code = await tlsCommand.run(args, io)
  } catch (error) {
    if (!(error instanceof PostureError)) throw error
    err += `posture tls: ${error.message}\n`
    code = error.exitCode
  }
  const ms = performance.now() - started
  const report = args.includes('--json') && code !== 3 && code !== 2 ? reportSchema.parse(JSON.parse(out)) : null
  return { code, stdout: out, stderr: err, report, ms }
}

/** The one finding of `rule` (for one-endpoint runs), or a clear failure. */
export function finding(report: Report | null, rule: string): Finding {
  const found = report?.findings.filter((f) => f.rule === rule) ?? []
  if (found.length !== 1) throw new Error(`expected one ${rule} finding, got ${found.length}: ${JSON.stringify(report?.findings.map((f) => f.rule))}`)
  return found[0]!
}

export function statusOf(report: Report | null, rule: string): string {
  return finding(report, rule).status
}
