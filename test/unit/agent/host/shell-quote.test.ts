import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { quoteShellArg, quoteShellCommand } from '../../../../agent/host/shell-quote.js'

/** What a real POSIX shell makes of the quoted words: each argument followed by NUL. */
function throughShell(shell: string, argv: string[]): string[] {
  const out = execFileSync(shell, ['-c', `printf '%s\\0' ${argv.map(quoteShellArg).join(' ')}`], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' } })
  return out.split('\0').slice(0, -1)
}

const tricky = ["it's", "''", 'a b', '\ttab', '$HOME', '${PATH}', '`id`', '$(id)', '"dq"', '*', '?', '[a]', '~', '~root', 'x\ny', '', '-n', '--', 'a;b|c&d', '>out', '<in', '\\', '\\n', 'é ✓', '{a,b}', '#c', 'A=b', '!event', "'; rm -rf / #"]

describe('quoteShellArg', () => {
  it.each([
    ['plain', 'plain'],
    ['/usr/sbin/sshd', '/usr/sbin/sshd'],
    ['-T', '-T'],
    ['LC_ALL=C', "'LC_ALL=C'"],
    ['', "''"],
    ["it's", "'it'\\''s'"],
    ['a b', "'a b'"],
    ['$HOME', "'$HOME'"],
  ])('quotes %j as %s', (arg, quoted) => {
    expect(quoteShellArg(arg)).toBe(quoted)
  })

  it.each(['sh', 'bash'])('round-trips every tricky argument through %s unchanged', (shell) => {
    expect(throughShell(shell, tricky)).toEqual(tricky)
  })

  it('refuses a NUL byte, which no argv can carry', () => {
    expect(() => quoteShellArg('a\0b')).toThrow(TypeError)
  })
})

describe('quoteShellCommand', () => {
  it('joins quoted words with single spaces', () => {
    expect(quoteShellCommand(['cat', '--', '/etc/my file'])).toBe("cat -- '/etc/my file'")
  })

  it('refuses an empty argv', () => {
    expect(() => quoteShellCommand([])).toThrow(TypeError)
  })
})
