import { describe, expect, it } from 'vitest'
import { commandResultFrom, dirResultFrom, fileResultFrom, type RawExec } from '../../../../agent/host/ssh-exec-result.js'

const raw = (exitCode: number | null, stderr = '', stdout = '', signal: string | null = null): RawExec => ({ stdout: Buffer.from(stdout), stderr, exitCode, signal })

describe('commandResultFrom', () => {
  it('keeps output and exit code', () => {
    expect(commandResultFrom(['x'], raw(2, 'warn\n', 'out\n'), false)).toEqual({ stdout: 'out\n', stderr: 'warn\n', exitCode: 2 })
  })

  it.each([
    ["env: ‘zpool’: No such file or directory\n", 'GNU coreutils, UTF-8 quotes'],
    ["env: 'zpool': No such file or directory\n", 'GNU coreutils, C locale'],
    ["env: can't execute 'zpool': No such file or directory\n", 'busybox'],
  ])('maps env exit 127 %j to ENOENT (%s)', (stderr) => {
    expect(commandResultFrom(['zpool', 'status'], raw(127, stderr), false)).toEqual({ error: 'ENOENT', message: 'zpool: command not found' })
  })

  it('keeps exit 127 from a program that ran (not env saying so)', () => {
    expect(commandResultFrom(['sh', '-c', 'exit 127'], raw(127, 'sh: 1: foo: not found\n'), false)).toEqual({ stdout: '', stderr: 'sh: 1: foo: not found\n', exitCode: 127 })
  })

  it('maps env exit 126 to EACCES', () => {
    expect(commandResultFrom(['./x'], raw(126, "env: './x': Permission denied\n"), false)).toEqual({ error: 'EACCES', message: './x: permission denied' })
  })

  it('maps a signal to EKILLED with the SIG name', () => {
    expect(commandResultFrom(['sleep', '9'], raw(null, '', '', 'KILL'), false)).toEqual({ error: 'EKILLED', message: 'sleep 9: killed by SIGKILL' })
  })

  it('says sudo -n refused, only when --sudo is in use', () => {
    const stderr = 'sudo: a password is required\n'
    expect(commandResultFrom(['sshd', '-T'], raw(1, stderr), true)).toEqual({ error: 'EACCES', message: 'sshd: sudo -n refused: a password is required' })
    expect(commandResultFrom(['sshd', '-T'], raw(1, stderr), false)).toEqual({ stdout: '', stderr, exitCode: 1 })
  })

  it('says sudo is missing when the remote shell cannot find it', () => {
    expect(commandResultFrom(['id'], raw(127, 'bash: line 1: sudo: command not found\n'), true)).toMatchObject({ error: 'ENOENT' })
  })
})

describe('fileResultFrom', () => {
  it('returns the content on exit 0, decoded as UTF-8', () => {
    expect(fileResultFrom('/f', { stdout: Buffer.from('ünï\n'), stderr: '', exitCode: 0, signal: null }, false)).toEqual({ content: 'ünï\n' })
  })

  it.each([
    ['No such file or directory', 'ENOENT', 'no such file or directory'],
    ['Permission denied', 'EACCES', 'permission denied'],
    ['Operation not permitted', 'EPERM', 'operation not permitted'],
    ['Not a directory', 'ENOTDIR', 'not a directory'],
    ['Is a directory', 'EISDIR', 'is a directory'],
  ])('maps cat: %s to %s', (reason, error, message) => {
    expect(fileResultFrom('/etc/x', raw(1, `cat: /etc/x: ${reason}\n`), false)).toEqual({ error, message: `/etc/x: ${message}` })
  })

  it('keeps an unknown cat error as EIO with its text', () => {
    expect(fileResultFrom('/dev/x', raw(1, 'cat: /dev/x: Input/output error\n'), false)).toEqual({ error: 'EIO', message: '/dev/x: cat: /dev/x: Input/output error' })
  })

  it('says cat is missing as a command would', () => {
    expect(fileResultFrom('/f', raw(127, "env: 'cat': No such file or directory\n"), false)).toEqual({ error: 'ENOENT', message: 'cat: command not found' })
  })
})

describe('dirResultFrom', () => {
  it('splits NUL-terminated names and sorts them as LocalHost does', () => {
    expect(dirResultFrom('/d', raw(0, '', 'b\0a b\0.x\0new\nline\0'), false)).toEqual({ entries: ['.x', 'a b', 'b', 'new\nline'] })
    expect(dirResultFrom('/d', raw(0), false)).toEqual({ entries: [] })
  })

  it.each([
    ['ENOENT', 'no such file or directory'],
    ['ENOTDIR', 'not a directory'],
    ['EACCES', 'permission denied'],
  ])('maps posture-listdir: %s', (code, message) => {
    expect(dirResultFrom('/d', raw(3, `posture-listdir: ${code}\n`), false)).toEqual({ error: code, message: `/d: ${message}` })
  })
})
