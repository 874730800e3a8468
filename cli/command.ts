import type { Writable } from 'node:stream'

/** What a command may touch of the process: its streams and environment, nothing global. */
export interface CliIO {
  stdout: Writable
  stderr: Writable
  /** Colours and progress only when stdout is a terminal (and NO_COLOR is unset). */
  color: boolean
  env: NodeJS.ProcessEnv
  cwd: string
  /** Aborted on SIGINT/SIGTERM, so long-running commands (collector, agent) stop cleanly. */
  signal: AbortSignal
  /** Subscribes to SIGHUP (reload configuration); returns the unsubscribe. Absent: no reloads. */
  onHangup?: (listener: () => void) => () => void
}

/**
 * A `posture` subcommand. `run` returns the exit code (0 done, 1 findings at or above
 * --fail-on, 2 bad usage or input, 3 could not run); it throws PostureError for bad input,
 * which the entry turns into a one-line message and the error's exit code.
 */
export interface Command {
  name: string
  /** The full `posture NAME --help` text: usage line, options, examples. */
  help: string
  run(args: string[], io: CliIO): Promise<number>
}
