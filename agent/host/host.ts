/**
 * The only way Posture touches a machine (DESIGN.md, "Host, evidence, snapshots").
 * Implementations: LocalHost (this machine), SnapshotHost (replays a snapshot),
 * RecordingHost (wraps another and records what was read), SshHost (collector, agentless).
 *
 * Every answer is a value, never a throw: a file that cannot be read or a command that
 * cannot run comes back with an `error` code, which gatherers turn into `error` facts.
 */

/** errno-style reason: ENOENT, EACCES, ETIMEDOUT, EMAXBUFFER, ENOTRECORDED, … */
export type HostErrorCode = string

export type FileResult =
  | { content: string }
  | { error: HostErrorCode; message: string }

export type DirResult =
  | { entries: string[] }
  | { error: HostErrorCode; message: string }

export type CommandResult =
  | { stdout: string; stderr: string; exitCode: number }
  | { error: HostErrorCode; message: string }

/** A network probe's outcome as JSON (a TLS handshake's facts, an HTTP response, …). */
export type ProbeResult = { result: unknown } | { error: HostErrorCode; message: string }

export interface RunOptions {
  /** Killed after this long; the result is `{ error: 'ETIMEDOUT' }`. */
  timeoutMs?: number
  /** Output beyond this is an error (`EMAXBUFFER`), never silently truncated. */
  maxOutputBytes?: number
  /** Extra environment; LC_ALL=C is always set so output is parseable. */
  env?: Record<string, string>
  /** Applied to stdout before anything sees or records it (secrets never leave the node). */
  redact?: Redactor
}

export interface ReadOptions {
  maxBytes?: number
  /** Applied to the content before anything sees or records it, e.g. password hashes. */
  redact?: Redactor
}

/**
 * Must be idempotent: a snapshot replays already-redacted text through it again. A remote
 * host (SshHost) runs `remote` on the node instead, so the secret never crosses the
 * connection; the function is then applied again to what came back.
 */
export type Redactor = ((text: string) => string) & { readonly remote?: RemoteRedaction }

/** The same redaction as a POSIX awk(1) program over the file's lines (`-F fieldSeparator`, OFS the same). */
export interface RemoteRedaction {
  awkProgram: string
  fieldSeparator: string
}

export interface Host {
  /** What this host is, for messages: `local`, `snapshot:FILE`, `ssh:user@host`. */
  readonly description: string
  readFile(path: string, options?: ReadOptions): Promise<FileResult>
  listDir(path: string): Promise<DirResult>
  /** Runs argv without a shell. */
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>
  /**
   * A network probe identified by `key` (e.g. `tls 127.0.0.1:443`): live hosts call
   * `perform` and return its JSON result; a snapshot returns what was recorded.
   */
  probe(key: string, perform: () => Promise<unknown>): Promise<ProbeResult>
}

export const defaultTimeoutMs = 15_000
export const defaultMaxOutputBytes = 16 * 1024 * 1024

/** The snapshot key of a command: argv joined by single spaces (DESIGN.md). */
export function commandKey(argv: readonly string[]): string {
  return argv.join(' ')
}

export function isOk<T extends object>(result: T): result is Exclude<T, { error: string }> {
  return !('error' in result)
}
