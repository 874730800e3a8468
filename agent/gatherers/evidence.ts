import type { CommandResult, FileResult } from '../host/host.js'

/** A piece of evidence, or why it could not be had. */
export type Evidence<T> = { ok: true; value: T } | { ok: false; reason: string }

export function ok<T>(value: T): Evidence<T> {
  return { ok: true, value }
}

export function missing(reason: string): { ok: false; reason: string } {
  return { ok: false, reason }
}

/** A file's text, or its read error as a reason. */
export function fileText(result: FileResult): Evidence<string> {
  return 'error' in result ? missing(result.message) : ok(result.content)
}

/**
 * A command's stdout when it exited with one of `okExitCodes` (tools such as
 * `dnf check-update` use non-zero codes for answers), or why not: the error, or the exit
 * code with the first line of stderr.
 */
export function commandStdout(argv: readonly string[], result: CommandResult, okExitCodes: readonly number[] = [0]): Evidence<string> {
  if ('error' in result) return missing(result.message)
  if (okExitCodes.includes(result.exitCode)) return ok(result.stdout)
  const detail = result.stderr.trim().split('\n')[0] || result.stdout.trim().split('\n')[0] || 'no output'
  return missing(`${argv.join(' ')} exited ${result.exitCode}: ${detail}`)
}
