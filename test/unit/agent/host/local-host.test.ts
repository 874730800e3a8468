import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LocalHost } from '../../../../agent/host/local-host.js'
import { RecordingHost } from '../../../../agent/host/recording-host.js'
import { SnapshotHost } from '../../../../agent/host/snapshot-host.js'
import { snapshotSchemaId } from '../../../../agent/snapshot.js'

const host = new LocalHost()
const dir = mkdtempSync(join(tmpdir(), 'posture-host-'))

describe('LocalHost', () => {
  it('reads files and lists directories', async () => {
    writeFileSync(join(dir, 'a.txt'), 'hello\n')
    expect(await host.readFile(join(dir, 'a.txt'))).toEqual({ content: 'hello\n' })
    expect(await host.listDir(dir)).toEqual({ entries: expect.arrayContaining(['a.txt']) })
  })

  it('reads /proc files whose size reads as 0', async () => {
    const result = await host.readFile('/proc/self/status')
    expect('content' in result && result.content).toMatch(/^Name:/)
  })

  it('returns errors as values with the errno code', async () => {
    expect(await host.readFile(join(dir, 'missing'))).toEqual({ error: 'ENOENT', message: `${join(dir, 'missing')}: no such file or directory` })
    expect(await host.readFile(dir)).toMatchObject({ error: 'EISDIR' })
  })

  it('refuses files over the cap instead of cutting them', async () => {
    writeFileSync(join(dir, 'big.txt'), 'x'.repeat(5000))
    expect(await host.readFile(join(dir, 'big.txt'), { maxBytes: 1000 })).toMatchObject({ error: 'EFBIG' })
  })

  it('applies redaction before anyone sees the content', async () => {
    writeFileSync(join(dir, 'secret.txt'), 'user:$6$salt$hash\n')
    const result = await host.readFile(join(dir, 'secret.txt'), { redact: (t) => t.replace(/\$[^:\n]*/g, '$REDACTED') })
    expect(result).toEqual({ content: 'user:$REDACTED\n' })
  })

  it('runs argv without a shell, with exit code and both streams', async () => {
    const result = await host.run(['sh', '-c', 'echo out; echo err >&2; exit 3'])
    expect(result).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 3 })
    const literal = await host.run(['echo', '$HOME; rm -rf /'])
    expect(literal).toMatchObject({ stdout: '$HOME; rm -rf /\n' })
  })

  it('sets LC_ALL=C so tool output is parseable', async () => {
    expect(await host.run(['sh', '-c', 'echo $LC_ALL'])).toMatchObject({ stdout: 'C\n' })
  })

  it('a missing command is ENOENT, a slow one ETIMEDOUT, a loud one EMAXBUFFER', async () => {
    expect(await host.run(['posture-no-such-tool'])).toEqual({ error: 'ENOENT', message: 'posture-no-such-tool: command not found' })
    expect(await host.run(['sleep', '5'], { timeoutMs: 100 })).toMatchObject({ error: 'ETIMEDOUT' })
    expect(await host.run(['head', '-c', '100000', '/dev/zero'], { maxOutputBytes: 1000 })).toMatchObject({ error: 'EMAXBUFFER' })
  })

  it('a permission problem is EACCES', async () => {
    const file = join(dir, 'noexec.sh')
    writeFileSync(file, '#!/bin/sh\necho hi\n')
    chmodSync(file, 0o600)
    expect(await host.run([file])).toMatchObject({ error: 'EACCES' })
  })

  it('probes return results or errors as values', async () => {
    expect(await host.probe('p', async () => ({ ok: 1 }))).toEqual({ result: { ok: 1 } })
    const failure = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    expect(await host.probe('p', () => Promise.reject(failure))).toEqual({ error: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' })
  })
})

describe('RecordingHost and SnapshotHost', () => {
  it('a recording replays the same answers, and anything unrecorded is ENOTRECORDED', async () => {
    writeFileSync(join(dir, 'b.txt'), 'b\n')
    const recorder = new RecordingHost(host)
    const live = [
      await recorder.readFile(join(dir, 'b.txt')),
      await recorder.readFile(join(dir, 'missing')),
      await recorder.listDir(dir),
      await recorder.run(['sh', '-c', 'echo x; exit 2']),
      await recorder.run(['posture-no-such-tool', '--flag']),
      await recorder.probe('tls 127.0.0.1:1', async () => ({ grade: 'A' })),
    ]
    const snapshot = { schema: snapshotSchemaId, postureVersion: '0', host: { description: 'local' }, gatheredAt: '2026-11-23T00:00:00.000Z', domains: [], ...recorder.recorded() } as const
    expect(Object.keys(snapshot.commands)).toEqual(['sh -c echo x; exit 2', 'posture-no-such-tool --flag'])
    const replay = new SnapshotHost(JSON.parse(JSON.stringify(snapshot)), 'test')
    const replayed = [
      await replay.readFile(join(dir, 'b.txt')),
      await replay.readFile(join(dir, 'missing')),
      await replay.listDir(dir),
      await replay.run(['sh', '-c', 'echo x; exit 2']),
      await replay.run(['posture-no-such-tool', '--flag']),
      await replay.probe('tls 127.0.0.1:1'),
    ]
    expect(replayed).toEqual(live)
    expect(await replay.readFile('/etc/elsewhere')).toEqual({ error: 'ENOTRECORDED', message: 'file /etc/elsewhere is not in the snapshot' })
    expect(await replay.run(['uname', '-a'])).toMatchObject({ error: 'ENOTRECORDED' })
  })
})
