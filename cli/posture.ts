#!/usr/bin/env node
import type { CliIO } from './command.js'
import { commands } from './commands/registry.js'
import { PostureError, errorMessage } from '../rules/posture-error.js'

/**
 * The `posture` entry: the only place that reads process.argv, sets the exit code and
 * turns errors into one line on stderr.
 */
function usage(): string {
  const width = Math.max(...[...commands.keys()].map((n) => n.length))
  const list = [...commands.values()].map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')
  return `Usage: posture COMMAND [options]

Posture checks that the security promises of a hosting fleet hold on every node.

Commands:
${list}

Run 'posture COMMAND --help' for a command's options.`
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage() + '\n')
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-V') {
    const { postureVersion } = await import('../agent/version.js')
    io.stdout.write(postureVersion() + '\n')
    return 0
  }
  const entry = commands.get(name)
  if (!entry) {
    io.stderr.write(`posture: unknown command "${name}" (run 'posture --help' for the list)\n`)
    return 2
  }
  try {
    const command = await entry.load()
    return await command.run(args, io)
  } catch (err) {
    if (err instanceof PostureError) {
      io.stderr.write(`posture ${name}: ${err.message}\n`)
      return err.exitCode
    }
    io.stderr.write(`posture ${name}: internal error: ${errorMessage(err)}\n${(err as Error).stack ?? ''}\n`)
    return 3
  }
}

const controller = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => controller.abort())
}
const io: CliIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  color: Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
  // While a command listens, SIGHUP reloads instead of ending the process (its default).
  onHangup(listener) {
    process.on('SIGHUP', listener)
    return () => process.off('SIGHUP', listener)
  },
}
process.exitCode = await main(process.argv.slice(2), io)
