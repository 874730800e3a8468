import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redactPasswordFields } from '../../agent/gatherers/access/password-files.js'
import { accessGatherer } from '../../agent/gatherers/access/gather-access.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { SshHost } from '../../agent/host/ssh-host.js'
import { scanConfigSchema } from '../../agent/scan-config.js'
import { hasSshd, startSshd, type TestSshd } from '../helpers/sshd.js'

/**
 * /etc/shadow over SSH is redacted on the node: SshHost runs the redactor's awk program
 * there, so no password hash crosses the connection. Every byte the node sends back on
 * exec channels is captured (SshConnectOptions.onChannelData) and searched for the hashes
 * of a shadow file holding every form shadow(5) and crypt(5) know. The control read, with a
 * redactor that has no remote form, shows the capture would see them.
 */
const available = hasSshd()
if (!available) {
  if (process.env.CI) throw new Error('openssh-server is required in CI (.ci/run installs it)')
  console.warn('SKIPPED: ssh shadow redaction tests need /usr/sbin/sshd and ssh-keygen (apt-get install openssh-server)')
}

// Hash bodies (salt and hash) that must never reach this process; test values, not real passwords.
const secrets = {
  yescrypt: 'j9T$Qn1rBSecretSaltY$4WfB2m3ZyescryptHashBodyXq0lD0T3vKJ8F/ZHQ7',
  sha512: 'rSaltSha512x$AbCdEfSha512HashBody0123456789ABCDEFGHIJ./uvwxyzQRSTU',
  locked: 'LockedSalt1$LockedHashBodyDoNotLeak0987654321',
  bcrypt: '10$BcryptSaltBcryptSalt.BcryptHashBodyVisibleNever1234',
  des: 'abJnggxhB/yWI',
  bsdi: '_J9..CCCCXBrJUJV154M',
  unknown: 'plaintext-password!',
}
const shadow = [
  `alice:$y$${secrets.yescrypt}:19800:0:99999:7:::`,
  `bob:$6$${secrets.sha512}:19801:1:90:14:30::`,
  `carol:!$6$${secrets.locked}:19802:0:99999:7:::`,
  `dave:$2b$${secrets.bcrypt}:19803::::::`,
  `erin:${secrets.des}:19804:0:99999:7:::`,
  `frank:${secrets.bsdi}:19805:0:99999:7:::`,
  `mallory:${secrets.unknown}:19806:0:99999:7:::`,
  'daemon:*:19000:0:99999:7:::',
  'nobody:!!:19000::::::',
  'empty::19000:0:99999:7:::',
  'shadowed:x:19000:0:99999:7:::',
  'not a shadow line',
  '',
  'trailing:!*:19000:0:99999:7:::',
  '',
].join('\n')

describe.skipIf(!available)('SshHost redacts /etc/shadow on the node', () => {
  let sshd: TestSshd
  let dir: string
  const captured: Buffer[] = []
  let host: SshHost
  const received = () => Buffer.concat(captured).toString('latin1')

  beforeAll(async () => {
    sshd = await startSshd()
    host = await SshHost.connect({
      target: { host: sshd.host, port: sshd.port, username: sshd.username },
      privateKey: sshd.clientKey,
      onChannelData: (chunk) => captured.push(Buffer.from(chunk)),
    })
    dir = mkdtempSync(join(tmpdir(), 'posture-shadow-'))
    writeFileSync(join(dir, 'shadow'), shadow, { mode: 0o600 })
    chmodSync(join(dir, 'shadow'), 0o600)
  })

  afterAll(async () => {
    await host?.close()
    await sshd?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('returns what the local redactor returns, and no hash byte crossed the connection', async () => {
    captured.length = 0
    const result = await host.readFile(join(dir, 'shadow'), { redact: redactPasswordFields })
    expect(result).toEqual({ content: redactPasswordFields(shadow) })
    expect(result).toEqual(await new LocalHost().readFile(join(dir, 'shadow'), { redact: redactPasswordFields }))
    expect((result as { content: string }).content.split('\n').slice(0, 8)).toEqual([
      'alice:$y$:19800:0:99999:7:::',
      'bob:$6$:19801:1:90:14:30::',
      'carol:!$6$:19802:0:99999:7:::',
      'dave:$2b$:19803::::::',
      'erin:<des>:19804:0:99999:7:::',
      'frank:<bsdi>:19805:0:99999:7:::',
      'mallory:<unknown>:19806:0:99999:7:::',
      'daemon:*:19000:0:99999:7:::',
    ])
    const bytes = received()
    expect(bytes.length).toBeGreaterThan(0)
    for (const [form, secret] of Object.entries(secrets)) expect(bytes.includes(secret), `${form} hash seen on the channel`).toBe(false)
    // Nothing that even looks like a crypt hash body: `$id$` followed by salt characters.
    expect(bytes).not.toMatch(/\$(y|6|2b)\$[./0-9A-Za-z]/)
  })

  it('control: a redactor without a remote form is applied here, and the capture sees the hashes', async () => {
    captured.length = 0
    const localOnly = (text: string) => redactPasswordFields(text)
    const result = await host.readFile(join(dir, 'shadow'), { redact: localOnly })
    expect(result).toEqual({ content: redactPasswordFields(shadow) })
    expect(received()).toContain(secrets.sha512)
  })

  it('a missing or unreadable file is the error LocalHost gives', async () => {
    const missing = join(dir, 'no-such-shadow')
    expect(await host.readFile(missing, { redact: redactPasswordFields })).toEqual(await new LocalHost().readFile(missing, { redact: redactPasswordFields }))
    expect(await host.readFile(missing, { redact: redactPasswordFields })).toMatchObject({ error: 'ENOENT' })
    expect(await host.readFile(dir, { redact: redactPasswordFields })).toMatchObject({ error: 'EISDIR' })
  })

  it('the access gatherer over SSH (rootDir holding this shadow file) gets the algorithms, and no hash crossed', async () => {
    const root = join(dir, 'root')
    mkdirSync(join(root, 'etc'), { recursive: true })
    writeFileSync(join(root, 'etc/shadow'), shadow, { mode: 0o600 })
    writeFileSync(join(root, 'etc/passwd'), ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'mallory', 'daemon', 'nobody', 'empty'].map((u, i) => `${u}:x:${1000 + i}:${1000 + i}::/home/${u}:/bin/bash`).join('\n') + '\n')
    captured.length = 0
    const config = scanConfigSchema.parse({ access: { rootDir: root } })
    const { facts, errors } = await accessGatherer.gather({ host, now: new Date(), config })
    expect(errors['access.accounts.passwordHashes'], JSON.stringify(errors)).toBeUndefined()
    const hashes = Object.fromEntries((facts.access?.accounts?.passwordHashes ?? []).map((h) => [h.target, h.algorithm]))
    expect(hashes).toMatchObject({ alice: 'yescrypt', bob: 'sha512crypt', dave: 'bcrypt', erin: 'descrypt', frank: 'bsdicrypt', mallory: 'unknown', empty: 'empty' })
    const bytes = received()
    for (const [form, secret] of Object.entries(secrets)) expect(bytes.includes(secret), `${form} hash seen on the channel`).toBe(false)
  })
})
