import type { CommandResult, DirResult, FileResult } from './host.js'

/**
 * Turns what an SSH exec channel returned into the answers LocalHost gives for the same
 * situation, codes and messages alike, so that gatherers (and the facts and findings they
 * produce) cannot tell a remote node from a local one. Pure.
 */
export interface RawExec {
  stdout: Buffer
  stderr: string
  /** null when the remote process was killed by a signal. */
  exitCode: number | null
  /** The signal name as SSH reports it (RFC 4254 §6.10: without `SIG`), or null. */
  signal: string | null
}

type Failure = { error: string; message: string }

/** env(1) could not find the command: exit 127 and env's own message (GNU and busybox wordings). */
const envNotFound = /^env: .*: No such file or directory$/m
/** env(1) found it but could not execute it: exit 126. */
const envNotExecutable = /^env: .*: Permission denied$/m
/** sudo -n refusing to prompt (sudo(8), "-n"). */
const sudoNeedsPassword = /^sudo: (a password is required|a terminal is required.*|.*is not in the sudoers file.*|.*not allowed to execute.*)$/m
/** The remote shell could not find sudo itself (dash: `sh: 1: sudo: not found`, bash: `bash: sudo: command not found`). */
const shellSudoNotFound = /sudo: (command )?not found/

/**
 * A command's result. Exit 127 is "command not found" only when env(1) says so: a program
 * that runs and exits 127 itself keeps its exit code, as it would locally.
 */
export function commandResultFrom(argv: readonly string[], raw: RawExec, sudo: boolean): CommandResult {
  const file = argv[0] ?? ''
  const failure = launchFailure(file, raw, sudo)
  if (failure) return failure
  if (raw.exitCode === null) return { error: 'EKILLED', message: `${argv.join(' ')}: killed by ${signalName(raw.signal)}` }
  return { stdout: raw.stdout.toString('utf8'), stderr: raw.stderr, exitCode: raw.exitCode }
}

/** Why the command did not start at all (not found, not executable, sudo refused), or null. */
function launchFailure(file: string, raw: RawExec, sudo: boolean): Failure | null {
  if (raw.exitCode === 127 && envNotFound.test(raw.stderr)) return { error: 'ENOENT', message: `${file}: command not found` }
  if (raw.exitCode === 126 && envNotExecutable.test(raw.stderr)) return { error: 'EACCES', message: `${file}: permission denied` }
  if (sudo && raw.exitCode === 127 && shellSudoNotFound.test(raw.stderr)) return { error: 'ENOENT', message: 'sudo: command not found (--sudo needs sudo on the node)' }
  if (sudo && raw.exitCode === 1) {
    const refused = raw.stderr.match(sudoNeedsPassword)
    if (refused) return { error: 'EACCES', message: `${file}: sudo -n refused: ${refused[0].replace(/^sudo: /, '')}` }
  }
  return null
}

/** cat(1)'s error wording (strerror(3)) → the errno LocalHost reports. */
const fileErrors: readonly [RegExp, string, string][] = [
  [/No such file or directory$/m, 'ENOENT', 'no such file or directory'],
  [/Permission denied$/m, 'EACCES', 'permission denied'],
  [/Operation not permitted$/m, 'EPERM', 'operation not permitted'],
  [/Not a directory$/m, 'ENOTDIR', 'not a directory'],
  [/Is a directory$/m, 'EISDIR', 'is a directory'],
]

/** The result of `cat -- PATH` as a file read. */
export function fileResultFrom(path: string, raw: RawExec, sudo: boolean): FileResult {
  const failure = launchFailure('cat', raw, sudo)
  if (failure) return failure
  if (raw.exitCode === 0) return { content: raw.stdout.toString('utf8') }
  const catLine = raw.stderr.split('\n').find((line) => line.startsWith('cat: ')) ?? ''
  for (const [pattern, error, reason] of fileErrors) {
    if (pattern.test(catLine)) return { error, message: `${path}: ${reason}` }
  }
  const detail = (catLine || raw.stderr).trim().split('\n')[0] || (raw.exitCode === null ? `killed by ${signalName(raw.signal)}` : `cat exited ${raw.exitCode}`)
  return { error: 'EIO', message: `${path}: ${detail}` }
}

const dirReasons: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
}

/** The result of listDirScript as a directory listing, sorted as LocalHost sorts it. */
export function dirResultFrom(path: string, raw: RawExec, sudo: boolean): DirResult {
  const failure = launchFailure('sh', raw, sudo)
  if (failure) return failure
  if (raw.exitCode === 0) {
    const entries = raw.stdout.toString('utf8').split('\0')
    entries.pop() // every name ends with NUL: the last piece is empty
    return { entries: entries.sort() }
  }
  const code = raw.stderr.match(/^posture-listdir: (E[A-Z]+)$/m)?.[1]
  if (code !== undefined && dirReasons[code] !== undefined) return { error: code, message: `${path}: ${dirReasons[code]}` }
  const detail = raw.stderr.trim().split('\n')[0] || (raw.exitCode === null ? `killed by ${signalName(raw.signal)}` : `listing exited ${raw.exitCode}`)
  return { error: 'EIO', message: `${path}: ${detail}` }
}

function signalName(signal: string | null): string {
  if (signal === null) return 'a signal'
  return signal.startsWith('SIG') ? signal : `SIG${signal}`
}
