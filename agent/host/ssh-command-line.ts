import { quoteShellCommand } from './shell-quote.js'

/**
 * The command lines SshHost sends. Every command runs as
 * `[sudo -n --] env LC_ALL=C LANG=C PATH=… [NAME=VALUE…] ARGV…`, each word quoted for the
 * remote POSIX shell, so that argv reaches execve(2) on the node exactly as LocalHost
 * would pass it, in the C locale our parsers read.
 */

/**
 * PATH on the node: systemd's default for services (systemd.exec(5), "PATH"), i.e. what
 * an agent running under systemd sees. A non-interactive SSH session's PATH depends on the
 * account and the distribution (Debian leaves /usr/sbin out for non-root users), which
 * would make the same scan see different tools.
 */
export const remotePath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/

export interface CommandLineOptions {
  /** Through `sudo -n` (never prompts: a password requirement is an error, not a hang). */
  sudo: boolean
  env?: Record<string, string>
}

/** argv as the one string an SSH exec request carries. */
export function remoteCommandLine(argv: readonly string[], options: CommandLineOptions): string {
  const [file] = argv
  if (file === undefined) throw new TypeError('remoteCommandLine: argv must not be empty')
  // env(1) would take a first word containing `=` as another assignment, not the command.
  if (file.includes('=')) throw new TypeError(`remoteCommandLine: command name must not contain "=": ${JSON.stringify(file)}`)
  const assignments: string[] = []
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (!envName.test(name)) throw new TypeError(`remoteCommandLine: invalid environment variable name ${JSON.stringify(name)}`)
    if (name === 'LC_ALL' || name === 'LANG' || name === 'PATH') continue // fixed, as LocalHost does for the locale
    assignments.push(`${name}=${value}`)
  }
  const words = [...(options.sudo ? ['sudo', '-n', '--'] : []), 'env', ...assignments, 'LC_ALL=C', 'LANG=C', `PATH=${remotePath}`, ...argv]
  return quoteShellCommand(words)
}

/**
 * Lists a directory like readdir(3): every entry but `.` and `..`, each followed by a NUL
 * (names may hold newlines), or one `posture-listdir: CODE` line on stderr and exit 3. A
 * POSIX sh script rather than `ls` because `ls` has no portable NUL-separated output.
 * `$1` is the directory. A directory readable but not searchable (mode r--) is reported as
 * EACCES although readdir(3) could list it: the script must enter it to glob.
 */
export const listDirScript = [
  'd=$1',
  `[ -e "$d" ] || { echo 'posture-listdir: ENOENT' >&2; exit 3; }`,
  `[ -d "$d" ] || { echo 'posture-listdir: ENOTDIR' >&2; exit 3; }`,
  `{ cd -P -- "$d" 2>/dev/null && [ -r . ]; } || { echo 'posture-listdir: EACCES' >&2; exit 3; }`,
  `for f in .* *; do case $f in .|..) continue ;; esac; if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\\0' "$f"; fi; done`,
].join('\n')

/** The argv that lists `path` with listDirScript. */
export function listDirArgv(path: string): string[] {
  return ['sh', '-c', listDirScript, 'sh', path]
}
