import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalHost } from '../../agent/host/local-host.js'
import { HostKeyChangedError, SshHost, type SshConnectOptions } from '../../agent/host/ssh-host.js'
import { PostureError } from '../../rules/posture-error.js'
import { freePort, hasSshd, startSshd, type TestSshd } from '../helpers/sshd.js'

/**
 * SshHost against a real sshd on 127.0.0.1: every answer must be the one LocalHost gives
 * for the same thing on this same machine (codes and messages), since gatherers turn them
 * into facts and findings.
 */
const available = hasSshd()
if (!available) {
  if (process.env.CI) throw new Error('openssh-server is required in CI (.ci/run installs it)')
  console.warn('SKIPPED: ssh-host integration tests need /usr/sbin/sshd and ssh-keygen (apt-get install openssh-server)')
}

describe.skipIf(!available)('SshHost against a real sshd', () => {
  let sshd: TestSshd
  let host: SshHost
  const local = new LocalHost()
  const options = (): SshConnectOptions => ({
    target: { host: sshd.host, port: sshd.port, username: sshd.username },
    privateKey: sshd.clientKey,
  })

  beforeAll(async () => {
    sshd = await startSshd()
    host = await SshHost.connect(options())
  })
  afterAll(async () => {
    await host?.close()
    await sshd?.stop()
  })

  it('reports the host key it saw, as ssh-keygen fingerprints it, new on first use', () => {
    expect(host.hostKey).toEqual({
      id: `[127.0.0.1]:${sshd.port}`,
      presented: { keyType: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprint },
      status: 'new',
    })
    expect(host.description).toBe(`ssh:${sshd.username}@127.0.0.1:${sshd.port}`)
  })

  it('passes every argument through the remote shell unchanged', async () => {
    const tricky = ["it's", 'a b', '$HOME', '`id`', '$(id)', '"q"', '*', '~', 'x\ny', '', '-n', 'a;b|c&d', '\\', 'é ✓', '{a,b}', '#c', 'A=b']
    const result = await host.run(['printf', '%s\\0', ...tricky])
    expect(result).toEqual({ stdout: tricky.map((t) => `${t}\0`).join(''), stderr: '', exitCode: 0 })
  })

  it('runs in the C locale with the extra environment, like LocalHost', async () => {
    const argv = ['sh', '-c', 'echo "$LC_ALL $LANG $POSTURE_X"']
    const options = { env: { POSTURE_X: "v'1" } }
    expect(await host.run(argv, options)).toEqual(await local.run(argv, options))
  })

  it('keeps exit codes and stderr, including a program that exits 127 itself', async () => {
    expect(await host.run(['sh', '-c', 'echo out; echo err >&2; exit 3'])).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 3 })
    expect(await host.run(['sh', '-c', 'exit 127'])).toEqual({ stdout: '', stderr: '', exitCode: 127 })
  })

  it('answers ENOENT for a missing command exactly as LocalHost does', async () => {
    const argv = ['posture-no-such-command', '--version']
    const remote = await host.run(argv)
    expect(remote).toEqual({ error: 'ENOENT', message: 'posture-no-such-command: command not found' })
    expect(remote).toEqual(await local.run(argv))
  })

  it('times a command out and says so in LocalHost words', async () => {
    const started = performance.now()
    const result = await host.run(['sleep', '20'], { timeoutMs: 300 })
    expect(result).toEqual({ error: 'ETIMEDOUT', message: 'sleep 20: timed out after 300 ms' })
    expect(performance.now() - started).toBeLessThan(5_000)
    // The connection is still usable afterwards.
    expect(await host.run(['true'])).toEqual({ stdout: '', stderr: '', exitCode: 0 })
  })

  it('refuses output beyond maxOutputBytes instead of truncating it', async () => {
    const argv = ['head', '-c', '100000', '/dev/zero']
    const remote = await host.run(argv, { maxOutputBytes: 1000 })
    expect(remote).toEqual({ error: 'EMAXBUFFER', message: 'head -c 100000 /dev/zero: output exceeded 1000 bytes' })
    expect(remote).toEqual(await local.run(argv, { maxOutputBytes: 1000 }))
  })

  it('applies redact to stdout and file content before returning', async () => {
    const redact = (text: string) => text.replaceAll('secret', '[redacted]')
    expect(await host.run(['echo', 'a secret'], { redact })).toMatchObject({ stdout: 'a [redacted]\n' })
    const file = join(sshd.dir, 'redact-me')
    writeFileSync(file, 'the secret\n')
    expect(await host.readFile(file, { redact })).toEqual({ content: 'the [redacted]\n' })
  })

  it('reads files byte for byte, with LocalHost error codes and messages', async () => {
    const file = join(sshd.dir, 'text with spaces')
    writeFileSync(file, 'line 1\nünïcödé ✓\n\0binary\n')
    for (const path of [file, '/etc/os-release', '/proc/sys/kernel/hostname', join(sshd.dir, 'missing'), sshd.dir, `${file}/below-a-file`]) {
      expect(await host.readFile(path), path).toEqual(await local.readFile(path))
    }
    expect(await host.readFile(join(sshd.dir, 'missing'))).toEqual({ error: 'ENOENT', message: `${join(sshd.dir, 'missing')}: no such file or directory` })
  })

  it('refuses a file larger than maxBytes as LocalHost does (EFBIG)', async () => {
    const file = join(sshd.dir, 'big')
    writeFileSync(file, 'x'.repeat(5000))
    expect(await host.readFile(file, { maxBytes: 100 })).toEqual(await local.readFile(file, { maxBytes: 100 }))
    expect(await host.readFile(file, { maxBytes: 100 })).toMatchObject({ error: 'EFBIG' })
  })

  it('lists directories like readdir, dotfiles and odd names included', async () => {
    const dir = join(sshd.dir, 'listing')
    mkdirSync(dir)
    for (const name of ['.hidden', 'plain', 'with space', 'new\nline', '*', "quote'd", '-dash']) writeFileSync(join(dir, name), '')
    mkdirSync(join(dir, 'sub'))
    symlinkSync('/nonexistent-target', join(dir, 'dangling'))
    mkdirSync(join(sshd.dir, 'empty'))
    for (const path of [dir, join(sshd.dir, 'empty'), '/etc', join(sshd.dir, 'missing'), join(dir, 'plain')]) {
      expect(await host.listDir(path), path).toEqual(await local.listDir(path))
    }
    expect(await host.listDir(dir)).toEqual({ entries: ['*', '-dash', '.hidden', 'dangling', 'new\nline', 'plain', "quote'd", 'sub', 'with space'] })
  })

  it('runs more commands at once than sshd allows sessions, by queueing them', async () => {
    // 24 > MaxSessions 10: without the channel limit sshd refuses the extra sessions.
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => host.run(['echo', String(i)])))
    expect(results.map((r) => ('stdout' in r ? r.stdout : r.message))).toEqual(Array.from({ length: 24 }, (_, i) => `${i}\n`))
    // Quick commands: exit status, EOF and close can arrive with the exec confirmation.
    const reads = await Promise.all(Array.from({ length: 30 }, () => host.readFile('/proc/sys/kernel/ostype')))
    expect(new Set(reads.map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify({ content: 'Linux\n' })]))
  }, 120_000)

  it('refuses probes that only make sense on the node, performs the others here', async () => {
    expect(await host.probe('systeminformation diskLayout', async () => 1)).toMatchObject({ error: 'ENOTSUP' })
    expect(await host.probe('isolation 10.0.0.1:22', async () => 1)).toMatchObject({ error: 'ENOTSUP' })
    expect(await host.probe('tls 127.0.0.1:443', async () => 1)).toMatchObject({ error: 'ENOTSUP' })
    expect(await host.probe('tls example.org:443', async () => ({ ok: true }))).toEqual({ result: { ok: true } })
  })

  it('trusts the pinned key on the next connection', async () => {
    const again = await SshHost.connect({ ...options(), pinned: { ...host.hostKey.presented, firstSeen: '2026-01-01T00:00:00.000Z' } })
    try {
      expect(again.hostKey.status).toBe('trusted')
    } finally {
      await again.close()
    }
  })

  it('refuses a key other than the pinned one', async () => {
    const pinned = { keyType: 'ssh-ed25519', fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', firstSeen: '2026-01-01T00:00:00.000Z' }
    const error = await SshHost.connect({ ...options(), pinned }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HostKeyChangedError)
    expect(error).toMatchObject({ code: 'HOST_KEY_CHANGED', presented: { keyType: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprint } })
    expect((error as Error).message).toContain('scan refused')
  })

  it('refuses a pinned key type the server no longer offers', async () => {
    const pinned = { keyType: 'ssh-rsa', fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', firstSeen: '2026-01-01T00:00:00.000Z' }
    const error = await SshHost.connect({ ...options(), pinned }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HostKeyChangedError)
    expect(error).toMatchObject({ code: 'HOST_KEY_CHANGED', presented: null })
  })

  it('says authentication failed for a key the server does not accept, without the key in the message', async () => {
    const wrongKey = readFileSync(sshd.wrongKeyPath, 'utf8')
    const error = await SshHost.connect({ ...options(), privateKey: wrongKey }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PostureError)
    expect(error).toMatchObject({ code: 'AUTH_FAILED' })
    expect((error as Error).message).toMatch(/authentication failed/)
    expect((error as Error).message).not.toContain(wrongKey.split('\n')[1]!)
  })

  it('says connection refused for a closed port', async () => {
    const port = await freePort()
    const error = await SshHost.connect({ ...options(), target: { ...options().target, port } }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'CONNECT_FAILED', message: `ssh ${sshd.username}@127.0.0.1:${port}: connection refused (is sshd listening on that port?)` })
  })

  it('refuses to connect without a key or an agent', async () => {
    const error = await SshHost.connect({ target: options().target }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BAD_USAGE' })
  })
})

describe.skipIf(!available)('SshHost with --sudo', () => {
  let sshd: TestSshd
  const hasSudo = existsSync('/usr/bin/sudo')
  if (!hasSudo && !process.env.CI) console.warn('SKIPPED: --sudo tests need sudo (apt-get install sudo)')

  beforeAll(async () => {
    sshd = await startSshd()
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  it.skipIf(!hasSudo && !process.env.CI)('runs commands and reads files through sudo -n', async () => {
    const host = await SshHost.connect({ target: { host: sshd.host, port: sshd.port, username: sshd.username }, privateKey: sshd.clientKey, sudo: true })
    try {
      expect(await host.run(['id', '-u'])).toEqual({ stdout: '0\n', stderr: '', exitCode: 0 })
      expect(await host.readFile('/etc/hostname')).toEqual(await new LocalHost().readFile('/etc/hostname'))
      expect(await host.run(['posture-no-such-command'])).toEqual({ error: 'ENOENT', message: 'posture-no-such-command: command not found' })
      expect(await host.listDir('/etc/ssh')).toEqual(await new LocalHost().listDir('/etc/ssh'))
    } finally {
      await host.close()
    }
  })
})
