/**
 * POSIX shell quoting for commands sent over SSH. An SSH `exec` request carries one
 * string that the remote user's login shell parses (RFC 4254 §6.5, sshd(8) "LOGIN
 * PROCESS"), so every argument is quoted: a word made only of characters that no POSIX
 * shell treats specially is sent as is, anything else inside single quotes, where only a
 * single quote itself needs care (`'` → `'\''`; POSIX.1-2017 XCU 2.2.2).
 *
 * Requires a POSIX login shell (sh, dash, bash, ksh, zsh) on the remote side; fish and
 * csh quote differently.
 */

/**
 * Characters safe unquoted anywhere in a word. Deliberately excludes `=` (an unquoted
 * `A=b` in command position is an assignment), `~` (tilde expansion), `{`/`}` (brace
 * expansion in bash and zsh), `#` (comments), and every glob and expansion character.
 */
const safeWord = /^[A-Za-z0-9_@%+:,./-]+$/

/** One argument as a shell word that the remote shell turns back into exactly `arg`. */
export function quoteShellArg(arg: string): string {
  // A NUL cannot be passed in an argv (execve(2) strings end at NUL): refuse, never cut.
  if (arg.includes('\0')) throw new TypeError('quoteShellArg: an argument cannot contain a NUL byte')
  if (safeWord.test(arg)) return arg
  return `'${arg.replaceAll("'", `'\\''`)}'`
}

/** argv as one command line: each argument quoted, joined by single spaces. */
export function quoteShellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('quoteShellCommand: argv must not be empty')
  return argv.map(quoteShellArg).join(' ')
}
