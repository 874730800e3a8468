import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accessGatherer } from '../../agent/gatherers/access/gather-access.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { scanConfigSchema } from '../../agent/scan-config.js'
import { evaluateRules } from '../../rules/evaluate.js'
import { aggregateStatus } from '../../rules/rule-tests.js'
import { accessRules, fixture } from '../unit/agent/gatherers/access/fixture.js'

/**
 * The real `sshd -T` of Debian's openssh-server against test configurations
 * (`access.sshdConfig` → `sshd -T -f FILE`, with a host key generated here), through the
 * real gatherer on LocalHost. PAM files come from a temporary root (`access.rootDir`).
 */
const sshd = '/usr/sbin/sshd'
const isRoot = process.getuid?.() === 0
const hasSshd = existsSync(sshd) && isRoot
if (!hasSshd) {
  const why = existsSync(sshd) ? 'sshd -T must run as root (it reads host keys)' : `${sshd} is missing (apt-get install openssh-server)`
  if (process.env.CI) throw new Error(`access sshd integration test cannot run in CI: ${why}`)
  console.warn(`SKIPPING access sshd integration tests: ${why}`)
}

const rules = accessRules()
const sshRules = ['ssh.root-login', 'ssh.password-auth', 'ssh.mfa', 'ssh.weak-crypto', 'ssh.max-auth-tries']
let dir = ''
let hostKey = ''

/** A root tree with Debian's PAM files; `sshdPam` replaces /etc/pam.d/sshd. */
function makeRoot(name: string, sshdPam: string): string {
  const root = join(dir, 'roots', name)
  mkdirSync(join(root, 'etc/pam.d'), { recursive: true })
  for (const file of ['common-auth', 'common-account', 'common-session', 'common-password', 'login', 'passwd', 'other']) {
    writeFileSync(join(root, 'etc/pam.d', file), fixture(`debian12/pam.d/${file}`))
  }
  writeFileSync(join(root, 'etc/pam.d/sshd'), fixture(sshdPam))
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n')
  return root
}

function writeConfig(name: string, text: string): string {
  mkdirSync(join(dir, 'configs'), { recursive: true })
  const path = join(dir, 'configs', name)
  // No Include of the system's /etc/ssh/sshd_config.d: the test sees only its own file.
  writeFileSync(path, `HostKey ${hostKey}\n${text.replace(/^Include .*$/m, '')}`)
  return path
}

async function scan(access: Record<string, unknown>) {
  const now = new Date()
  const config = scanConfigSchema.parse({ access: { sshdPath: sshd, ...access } })
  const result = await accessGatherer.gather({ host: new LocalHost(), now, config })
  const findings = evaluateRules(rules, { facts: result.facts, factErrors: result.errors, now })
  const verdicts = Object.fromEntries(sshRules.map((id) => [id, aggregateStatus(findings.filter((f) => f.rule === id))]))
  return { ...result, findings, verdicts }
}

beforeAll(() => {
  if (!hasSshd) return
  dir = mkdtempSync(join(tmpdir(), 'posture-access-sshd-'))
  hostKey = join(dir, 'ssh_host_ed25519_key')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey])
  // sshd refuses to run, even with -T, without its privilege separation directory
  // (systemd's ssh.service creates it as RuntimeDirectory on a real host).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
})

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe.skipIf(!hasSshd)('access rules on the real sshd -T', { timeout: 60_000 }, () => {
  it('Debian 12 default sshd_config: root by key, passwords, one factor', async () => {
    const { facts, verdicts, errors } = await scan({
      sshdConfig: writeConfig('debian-default', fixture('sshd_config.debian12-default.txt')),
      rootDir: makeRoot('debian', 'debian12/pam.d/sshd'),
    })
    expect(errors['access.ssh.crypto']).toBeUndefined()
    expect(facts.access!.ssh!.users![0]).toMatchObject({ target: 'alice@203.0.113.10', passwordAuthentication: true, maxAuthTries: 6, x11Forwarding: true })
    expect(verdicts).toEqual({
      'ssh.root-login': 'fail',
      'ssh.password-auth': 'fail',
      'ssh.mfa': 'fail',
      'ssh.weak-crypto': 'fail',
      'ssh.max-auth-tries': 'fail',
    })
  })

  it('hardened: key + TOTP, CIS limits and crypto lists pass', async () => {
    const hardened = [
      'UsePAM yes',
      'PermitRootLogin no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication yes',
      'AuthenticationMethods publickey,keyboard-interactive',
      'MaxAuthTries 3',
      'LoginGraceTime 60',
      'X11Forwarding no',
      'Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr',
      'MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com',
      'KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,diffie-hellman-group16-sha512',
    ].join('\n')
    const { verdicts, facts } = await scan({
      sshdConfig: writeConfig('hardened', hardened),
      rootDir: makeRoot('totp', 'written/pam.d/sshd.google-authenticator'),
    })
    expect(facts.access!.ssh!.users![0]!).toMatchObject({ loginPaths: [{ methods: ['publickey', 'keyboard-interactive'], factors: ['otp', 'password', 'publickey'] }] })
    expect(verdicts).toEqual({
      'ssh.root-login': 'pass',
      'ssh.password-auth': 'pass',
      'ssh.mfa': 'pass',
      'ssh.weak-crypto': 'pass',
      'ssh.max-auth-tries': 'pass',
    })

    // The same sshd with nullok on the TOTP module and keyboard-interactive alone: one factor.
    const { verdicts: weak, findings } = await scan({
      sshdConfig: writeConfig('kbd-only', hardened.replace('publickey,keyboard-interactive', 'keyboard-interactive')),
      rootDir: makeRoot('nullok', 'written/pam.d/sshd.google-authenticator-nullok'),
    })
    expect(weak['ssh.mfa']).toBe('fail')
    expect(weak['ssh.password-auth']).toBe('fail')
    expect(findings.find((f) => f.rule === 'ssh.mfa')!.message).toMatch(/nullok/)
  })

  it('Match blocks are evaluated per user and per address', async () => {
    const config = writeConfig('match', fixture('sshd_config.match-blocks.txt').replace(/^HostKey .*$/m, ''))
    const { findings } = await scan({
      sshdConfig: config,
      rootDir: makeRoot('match', 'debian12/pam.d/sshd'),
      sshUser: 'contractor',
      sshAddresses: ['203.0.113.10', '10.10.0.9'],
    })
    const status = (rule: string) => Object.fromEntries(findings.filter((f) => f.rule === rule).map((f) => [f.target, f.status]))
    expect(status('ssh.root-login')).toEqual({ 'root@203.0.113.10': 'pass', 'root@10.10.0.9': 'fail' })
    expect(status('ssh.password-auth')).toEqual({ 'contractor@203.0.113.10': 'fail', 'contractor@10.10.0.9': 'fail' })
    expect(status('ssh.max-auth-tries')).toEqual({ 'contractor@203.0.113.10': 'fail', 'contractor@10.10.0.9': 'fail' })
    const alice = await scan({ sshdConfig: config, rootDir: makeRoot('match-alice', 'debian12/pam.d/sshd'), sshUser: 'alice' })
    expect(alice.verdicts['ssh.password-auth']).toBe('pass')
    expect(alice.verdicts['ssh.max-auth-tries']).toBe('pass')
  })

  it('an invalid config is an error carrying sshd\'s message', async () => {
    const { verdicts, findings } = await scan({
      sshdConfig: writeConfig('broken', 'PermitRootLogin maybe\n'),
      rootDir: makeRoot('broken', 'debian12/pam.d/sshd'),
    })
    expect(Object.values(verdicts)).toEqual(['error', 'error', 'error', 'error', 'error'])
    expect(findings.find((f) => f.rule === 'ssh.root-login')!.message).toMatch(/exited 255: .*unsupported option "maybe"/)
  })

  it('no sshd binary: na, "no SSH server"', async () => {
    const { verdicts, facts } = await scan({ sshdPath: join(dir, 'no-such-sshd'), rootDir: makeRoot('none', 'debian12/pam.d/sshd') })
    expect(facts.access!.ssh!.installed).toBe(false)
    expect(Object.values(verdicts)).toEqual(['na', 'na', 'na', 'na', 'na'])
  })

  it('reads the test file only: the generated host key path is what sshd -T reports', () => {
    expect(readFileSync(join(dir, 'configs', 'hardened'), 'utf8')).toContain(`HostKey ${hostKey}`)
  })
})
