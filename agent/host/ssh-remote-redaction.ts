import type { FileResult, RemoteRedaction } from './host.js'
import { commandResultFrom, type RawExec } from './ssh-exec-result.js'

/**
 * Reading a secret-bearing file over SSH with the redaction done on the node: a POSIX sh
 * script checks the file as `cat` would (one `posture-read: CODE` line on stderr and exit
 * 3 when it cannot be read) and feeds it on stdin to the redactor's awk program — on
 * stdin, so a path holding `=` is never taken for an awk assignment. Only the program's
 * output, already redacted, crosses the connection. `$1` path, `$2` program, `$3` field
 * separator.
 */
export const redactedReadScript = [
  'f=$1',
  `[ -e "$f" ] || { echo 'posture-read: ENOENT' >&2; exit 3; }`,
  `[ -d "$f" ] && { echo 'posture-read: EISDIR' >&2; exit 3; }`,
  `[ -r "$f" ] || { echo 'posture-read: EACCES' >&2; exit 3; }`,
  'exec awk -F "$3" -v OFS="$3" "$2" < "$f"',
].join('\n')

export function redactedReadArgv(path: string, remote: RemoteRedaction): string[] {
  return ['sh', '-c', redactedReadScript, 'sh', path, remote.awkProgram, remote.fieldSeparator]
}

const reasons: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
}

/** The script's result as a file read (content still to be passed through the local redactor). */
export function redactedReadResultFrom(path: string, raw: RawExec, sudo: boolean): FileResult {
  const result = commandResultFrom(['sh'], raw, sudo)
  if ('error' in result) return { error: result.error, message: `${path}: ${result.message}` }
  if (result.exitCode === 0) return { content: result.stdout }
  const code = result.stderr.match(/^posture-read: (E[A-Z]+)$/m)?.[1]
  if (code !== undefined && reasons[code] !== undefined) return { error: code, message: `${path}: ${reasons[code]}` }
  return { error: 'EIO', message: `${path}: ${result.stderr.trim().split('\n')[0] || `redacting read exited ${result.exitCode}`}` }
}
