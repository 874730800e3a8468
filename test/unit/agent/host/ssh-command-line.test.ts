import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { listDirArgv, remoteCommandLine, remotePath } from '../../../../agent/host/ssh-command-line.js'

describe('remoteCommandLine', () => {
  it('runs argv through env with the C locale and a fixed PATH', () => {
    expect(remoteCommandLine(['sshd', '-T'], { sudo: false })).toBe(`env 'LC_ALL=C' 'LANG=C' 'PATH=${remotePath}' sshd -T`)
  })

  it('puts sudo -n -- in front when asked', () => {
    expect(remoteCommandLine(['cat', '--', '/etc/shadow'], { sudo: true })).toBe(`sudo -n -- env 'LC_ALL=C' 'LANG=C' 'PATH=${remotePath}' cat -- /etc/shadow`)
  })

  it('adds the extra environment but never lets it replace the locale or PATH', () => {
    const line = remoteCommandLine(['x'], { sudo: false, env: { TZ: 'UTC', LC_ALL: 'de_DE.UTF-8', PATH: '/evil' } })
    expect(line).toBe(`env 'TZ=UTC' 'LC_ALL=C' 'LANG=C' 'PATH=${remotePath}' x`)
  })

  it('refuses names env(1) would misread', () => {
    expect(() => remoteCommandLine(['A=b'], { sudo: false })).toThrow(TypeError)
    expect(() => remoteCommandLine(['x'], { sudo: false, env: { 'BAD NAME': '1' } })).toThrow(TypeError)
    expect(() => remoteCommandLine([], { sudo: false })).toThrow(TypeError)
  })

  it('is executed by a real shell as exactly argv', () => {
    const argv = ['printf', '%s|', "it's", '$HOME', 'a b']
    expect(execFileSync('sh', ['-c', remoteCommandLine(argv, { sudo: false })], { encoding: 'utf8' })).toBe("it's|$HOME|a b|")
  })
})

describe('listDirScript', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posture-listdir-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const run = (path: string) => {
    try {
      return { out: execFileSync(listDirArgv(path)[0]!, listDirArgv(path).slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), status: 0, err: '' }
    } catch (err) {
      const e = err as { status: number; stderr: string; stdout: string }
      return { out: e.stdout, status: e.status, err: e.stderr }
    }
  }

  it('prints every entry but . and .., each followed by NUL', () => {
    for (const name of ['.dot', 'a b', 'new\nline', '*']) writeFileSync(join(dir, name), '')
    symlinkSync('/nonexistent', join(dir, 'dangling'))
    mkdirSync(join(dir, 'sub'))
    expect(run(dir).out.split('\0').slice(0, -1).sort()).toEqual(['*', '.dot', 'a b', 'dangling', 'new\nline', 'sub'])
  })

  it('prints nothing for an empty directory (the unmatched globs are skipped)', () => {
    mkdirSync(join(dir, 'empty'))
    expect(run(join(dir, 'empty'))).toEqual({ out: '', status: 0, err: '' })
  })

  it('names ENOENT and ENOTDIR on stderr with exit 3', () => {
    expect(run(join(dir, 'missing'))).toMatchObject({ status: 3, err: 'posture-listdir: ENOENT\n' })
    expect(run(join(dir, 'a b'))).toMatchObject({ status: 3, err: 'posture-listdir: ENOTDIR\n' })
  })
})
