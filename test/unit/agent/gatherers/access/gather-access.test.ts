import { describe, expect, it } from 'vitest'
import { accessGatherer } from '../../../../../agent/gatherers/access/gather-access.js'
import { SnapshotHost } from '../../../../../agent/host/snapshot-host.js'
import { scanConfigSchema } from '../../../../../agent/scan-config.js'
import type { Snapshot } from '../../../../../agent/snapshot.js'
import { evaluateRules } from '../../../../../rules/evaluate.js'
import { aggregateStatus } from '../../../../../rules/rule-tests.js'
import { accessRules as loadAccessRules, fixture } from './fixture.js'
import { debianNode, enoent, notFound, ok, sshdKey } from './node-snapshot.js'

const accessRules = loadAccessRules()
const config = scanConfigSchema.parse({})
const now = new Date('2026-01-01T00:00:00Z')

async function gather(snapshot: Snapshot, access: Record<string, unknown> = {}) {
  const result = await accessGatherer.gather({ host: new SnapshotHost(snapshot, 'test'), now, config: scanConfigSchema.parse({ access }) })
  const findings = evaluateRules(accessRules, { facts: result.facts, factErrors: result.errors, now })
  const verdicts = Object.fromEntries(accessRules.map((r) => [r.spec.id, aggregateStatus(findings.filter((f) => f.rule === r.spec.id))]))
  return { ...result, findings, verdicts }
}

describe('access gatherer on a Debian 12 default node', () => {
  it('gathers facts and gives the verdicts an auditor expects', async () => {
    const { facts, errors, verdicts, findings } = await gather(debianNode())
    expect(errors).toEqual({})
    const access = facts.access!
    expect(access.ssh!.root).toHaveLength(1)
    expect(access.ssh!.users![0]).toMatchObject({ target: 'alice@203.0.113.10', permitRootLogin: 'prohibit-password' })
    expect(access.accounts).toMatchObject({
      uid0: ['root', 'toor'],
      emptyPasswords: ['guest'],
      passMaxDays: 99999,
      hashMethods: [
        { source: '/etc/login.defs ENCRYPT_METHOD', algorithm: 'sha512crypt' },
        { source: '/etc/pam.d/common-password pam_unix', algorithm: 'yescrypt' },
      ],
    })
    expect(access.lockout!.services.map((s) => [s.target, s.module])).toEqual([
      ['sshd', null],
      ['login', null],
    ])
    expect(access.logging).toEqual({ journaldPersistent: true, journaldStorage: 'auto', authLogFiles: [], forwarding: [] })
    // toMatchObject: access.yaml may hold other issues' rules of the access domain too.
    expect(verdicts).toMatchObject({
      'ssh.root-login': 'fail',
      'ssh.password-auth': 'fail',
      'ssh.mfa': 'fail',
      'ssh.weak-crypto': 'fail',
      'ssh.max-auth-tries': 'fail',
      'auth.password-hashes': 'fail',
      'auth.empty-passwords': 'fail',
      'auth.uid0': 'fail',
      'auth.lockout': 'fail',
      'auth.ip-rate-limit': 'fail',
      'auth.sudo-nopasswd': 'pass',
      'log.auth-events': 'pass',
      'log.auditd': 'fail',
      'backup.recent': 'na',
    })
    expect(findings.find((f) => f.rule === 'auth.password-hashes')!.message).toMatch(/legacy \(md5crypt\), olddes \(descrypt\), inpasswd \(descrypt\)/)
  })

  it('picks the first normal account with a login shell for the Match context', async () => {
    const { facts } = await gather(debianNode())
    expect(facts.access!.ssh!.users!.map((u) => u.target)).toEqual(['alice@203.0.113.10'])
  })
})

describe('a hardened node', () => {
  const hardened = ok(fixture('sshd-T.hardened-2fa.txt'))
  const snapshot = () =>
    debianNode({
      files: {
        '/etc/passwd': { content: 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n' },
        '/etc/shadow': { content: 'root:!$y$j9T$abc$def:19700::::::\nalice:$y$j9T$ghi$jkl:19710::::::\n' },
        '/etc/login.defs': { content: 'ENCRYPT_METHOD YESCRYPT\nPASS_MAX_DAYS 365\n' },
        '/etc/pam.d/sshd': { content: fixture('written/pam.d/sshd.google-authenticator') },
        '/etc/pam.d/common-auth': { content: fixture('written/pam.d/common-auth.faillock') },
        '/etc/security/faillock.conf': { content: fixture('written/faillock.conf') },
        '/etc/sudoers.d/deploy': { content: fixture('written/sudoers.d/deploy') },
      },
      dirs: { '/etc/sudoers.d': { entries: ['README', 'deploy', 'old.dpkg-old'] } },
      commands: {
        [sshdKey('root')]: hardened,
        [sshdKey('alice')]: hardened,
        'fail2ban-client status': ok(fixture('written/fail2ban-client-status.txt')),
        'auditctl -s': ok(fixture('written/auditctl-s.running.txt')),
        'auditctl -l': ok('-w /etc/passwd -p wa -k identity\n'),
      },
    })

  it('passes what it hardened, and names what is left', async () => {
    const { verdicts, facts, findings } = await gather(snapshot())
    expect(facts.access!.ssh!.secondFactor).toEqual([{ module: 'pam_google_authenticator', control: 'required', enforced: true, weakness: '' }])
    expect(facts.access!.ipRateLimit!.mechanisms).toEqual([{ kind: 'fail2ban', detail: 'jails: sshd' }])
    expect(facts.access!.auditd).toEqual({ installed: true, enabled: 1, pid: 612, rules: 1 })
    expect(verdicts).toMatchObject({
      'ssh.root-login': 'pass',
      'ssh.password-auth': 'pass',
      'ssh.mfa': 'pass',
      'ssh.max-auth-tries': 'pass',
      'ssh.weak-crypto': 'fail', // OpenSSH 9.2's default MAC list still has umac-64
      'auth.password-hashes': 'pass',
      'auth.empty-passwords': 'pass',
      'auth.uid0': 'pass',
      'auth.lockout': 'pass',
      'auth.ip-rate-limit': 'pass',
      'auth.sudo-nopasswd': 'fail',
      'log.auditd': 'pass',
    })
    // old.dpkg-old has a dot: sudo skips it, and so do we.
    expect(findings.find((f) => f.rule === 'auth.sudo-nopasswd')!.message).toBe(
      'passwordless sudo: /etc/sudoers.d/deploy:4 deploy,ci-runner → APP, /etc/sudoers.d/deploy:6 backup → Defaults:backup !authenticate',
    )
  })

  it('nullok on the TOTP module fails ssh.mfa and says why', async () => {
    const s = snapshot()
    s.files['/etc/pam.d/sshd'] = { content: fixture('written/pam.d/sshd.google-authenticator-nullok') }
    const { verdicts, findings } = await gather(s)
    expect(verdicts['ssh.mfa']).toBe('pass') // key + (password prompt) are still two factors
    s.commands[sshdKey('alice')] = ok(fixture('sshd-T.hardened-2fa.txt').replace('authenticationmethods publickey,keyboard-interactive', 'authenticationmethods keyboard-interactive'))
    const second = await gather(s)
    expect(second.verdicts['ssh.mfa']).toBe('fail')
    expect(second.findings.find((f) => f.rule === 'ssh.mfa')!.message).toMatch(/nullok/)
    expect(findings).toBeDefined()
  })
})

describe('when sshd cannot answer', () => {
  it('no sshd binary: the SSH rules do not apply', async () => {
    const missing = notFound('/usr/sbin/sshd')
    const { facts, verdicts, findings } = await gather(debianNode({ commands: { [sshdKey('root')]: missing, [sshdKey('alice')]: missing } }))
    expect(facts.access!.ssh).toEqual({ installed: false, root: [], users: [] })
    for (const id of ['ssh.root-login', 'ssh.password-auth', 'ssh.mfa', 'ssh.weak-crypto', 'ssh.max-auth-tries', 'auth.ip-rate-limit']) {
      expect(verdicts[id], id).toBe('na')
    }
    expect(findings.find((f) => f.rule === 'ssh.mfa')!.message).toBe('no SSH server: sshd is not installed')
  })

  it('sshd -T failing is an error with sshd\'s own reason, never a guess', async () => {
    const failed = ok('', 255, 'Missing privilege separation directory: /run/sshd\n')
    const { verdicts, findings, errors } = await gather(debianNode({ commands: { [sshdKey('root')]: failed, [sshdKey('alice')]: failed } }))
    for (const id of ['ssh.root-login', 'ssh.password-auth', 'ssh.mfa', 'ssh.weak-crypto', 'ssh.max-auth-tries']) expect(verdicts[id], id).toBe('error')
    expect(errors['access.ssh.crypto']).toMatch(/exited 255: Missing privilege separation directory/)
    expect(findings.find((f) => f.rule === 'ssh.root-login')!.message).toMatch(/Missing privilege separation directory/)
  })

  it('an agent without root: shadow, sudoers and auditctl are errors, not passes', async () => {
    const denied = (path: string) => ({ error: 'EACCES', message: `${path}: permission denied` })
    const { verdicts } = await gather(
      debianNode({
        files: { '/etc/shadow': denied('/etc/shadow'), '/etc/sudoers': denied('/etc/sudoers') },
        commands: { 'auditctl -s': ok('', 1, 'You must be root to run this program.\n') },
      }),
    )
    expect(verdicts).toMatchObject({ 'auth.password-hashes': 'error', 'auth.empty-passwords': 'error', 'auth.sudo-nopasswd': 'error', 'log.auditd': 'error', 'auth.uid0': 'fail' })
  })
})

describe('Match contexts', () => {
  it('evaluates each configured address and the configured user', async () => {
    const s = debianNode({
      commands: {
        [sshdKey('root', '203.0.113.10')]: ok(fixture('sshd-T.match.root-public.txt')),
        [sshdKey('root', '10.10.0.9')]: ok(fixture('sshd-T.match.root-mgmt.txt')),
        [sshdKey('contractor', '203.0.113.10')]: ok(fixture('sshd-T.match.contractor.txt')),
        [sshdKey('contractor', '10.10.0.9')]: ok(fixture('sshd-T.match.contractor.txt')),
      },
    })
    const { findings } = await gather(s, { sshUser: 'contractor', sshAddresses: ['203.0.113.10', '10.10.0.9'] })
    const status = (rule: string) => Object.fromEntries(findings.filter((f) => f.rule === rule).map((f) => [f.target, f.status]))
    expect(status('ssh.root-login')).toEqual({ 'root@203.0.113.10': 'pass', 'root@10.10.0.9': 'fail' })
    expect(status('ssh.password-auth')).toEqual({ 'contractor@203.0.113.10': 'fail', 'contractor@10.10.0.9': 'fail' })
    expect(status('ssh.max-auth-tries')).toEqual({ 'contractor@203.0.113.10': 'fail', 'contractor@10.10.0.9': 'fail' })
  })
})

describe('logging', () => {
  it('volatile journal and no rsyslog: auth events are lost', async () => {
    const { verdicts, facts } = await gather(debianNode({ files: { '/etc/systemd/journald.conf': { content: fixture('written/journald.conf.volatile') } } }))
    expect(facts.access!.logging!.journaldPersistent).toBe(false)
    expect(verdicts['log.auth-events']).toBe('fail')
  })

  it('running rsyslog with auth.log and forwarding', async () => {
    const { facts, verdicts } = await gather(
      debianNode({
        files: {
          '/etc/systemd/journald.conf': { content: fixture('written/journald.conf.volatile') },
          '/etc/rsyslog.conf': { content: fixture('written/rsyslog.conf.debian') },
          '/etc/rsyslog.d/90-forward.conf': { content: fixture('written/rsyslog.d-90-forward.conf') },
        },
        dirs: { '/etc/rsyslog.d': { entries: ['90-forward.conf', 'README'] } },
        commands: { 'systemctl is-active rsyslog systemd-journal-upload': ok('active\ninactive\n', 3) },
      }),
    )
    expect(facts.access!.logging).toEqual({
      journaldPersistent: false,
      journaldStorage: 'volatile',
      authLogFiles: ['/var/log/auth.log'],
      forwarding: ['rsyslog omfwd logs.example.net:6514', 'rsyslog @@10.10.0.20:514'],
    })
    expect(verdicts['log.auth-events']).toBe('pass')
  })
})

describe('per-IP limits', () => {
  it('a rate-limiting nftables rule counts; nft denied with nothing else found is an error', async () => {
    const limited = await gather(debianNode({ commands: { 'nft -j list ruleset': ok(fixture('nft-j-list-ruleset.ratelimit.json')) } }))
    expect(limited.verdicts['auth.ip-rate-limit']).toBe('pass')
    const denied = await gather(debianNode({ commands: { 'nft -j list ruleset': ok('', 1, 'Error: Operation not permitted\n') } }))
    expect(denied.verdicts['auth.ip-rate-limit']).toBe('error')
    expect(denied.errors['access.ipRateLimit']).toMatch(/Operation not permitted/)
  })
})

describe('backups', () => {
  const restic = 'restic --repo /srv/restic --password-file /etc/posture/restic-pass --no-lock snapshots --json'
  const borg = 'borg list --json /srv/borg'
  const files = 'find /var/backups -mindepth 1 -maxdepth 1 -path /var/backups/db-*.sql.gz -exec stat -c %Y %n {} +'
  const backups = [
    { kind: 'restic', name: 'restic', repository: '/srv/restic', passwordFile: '/etc/posture/restic-pass' },
    { kind: 'borg', name: 'borg', repository: '/srv/borg', maxAgeHours: 48 },
    { kind: 'files', name: 'db dumps', glob: '/var/backups/db-*.sql.gz' },
  ]

  it('newest snapshot, archive and file against each maximum age', async () => {
    const s = debianNode({
      commands: {
        [restic]: ok(fixture('restic-snapshots.json')),
        [borg]: ok(fixture('borg-list.json')),
        [files]: ok('1767139200 /var/backups/db-2025-12-31.sql.gz\n1767052800 /var/backups/db-2025-12-30.sql.gz\n'),
      },
    })
    const result = await accessGatherer.gather({ host: new SnapshotHost(s, 'test'), now, config: scanConfigSchema.parse({ access: { backups } }) })
    expect(result.facts.access!.backup!.sources).toEqual([
      { target: 'restic', kind: 'restic', location: '/srv/restic', newest: '2026-11-23T16:12:05.686Z', count: 2, maxAgeHours: 26 },
      { target: 'borg', kind: 'borg', location: '/srv/borg', newest: '2026-11-23T16:12:39.000Z', count: 2, maxAgeHours: 48 },
      { target: 'db dumps', kind: 'files', location: '/var/backups/db-*.sql.gz', newest: '2025-12-31T00:00:00.000Z', count: 2, maxAgeHours: 26 },
    ])
    const at = (iso: string) => evaluateRules(accessRules.filter((r) => r.spec.id === 'backup.recent'), { facts: result.facts, factErrors: result.errors, now: new Date(iso) })
    expect(at('2026-11-24T10:00:00Z').map((f) => [f.target, f.status])).toEqual([
      ['restic', 'pass'],
      ['borg', 'pass'],
      ['db dumps', 'fail'],
    ])
    expect(at('2026-11-26T00:00:00Z').find((f) => f.target === 'borg')!.message).toMatch(/is from 2026-11-23T16:12:39.000Z, 55 h ago \(limit 48 h\)/)
  })

  it('a wrong password is an error with borg\'s reason; a missing directory is "no backup"', async () => {
    const s = debianNode({
      commands: {
        [restic]: ok('', 12, 'Fatal: wrong password or no key found\n'),
        [borg]: ok('', 2, 'passphrase supplied in BORG_PASSPHRASE, by BORG_PASSCOMMAND or via BORG_PASSPHRASE_FD is incorrect.\n'),
        [files]: ok('', 1, "find: '/var/backups': No such file or directory\n"),
      },
    })
    const { findings } = await gather(s, { backups })
    expect(findings.filter((f) => f.rule === 'backup.recent').map((f) => [f.target, f.status, f.message])).toEqual([
      ['restic', 'error', `${restic} exited 12: Fatal: wrong password or no key found`],
      ['borg', 'error', `${borg} exited 2: passphrase supplied in BORG_PASSPHRASE, by BORG_PASSCOMMAND or via BORG_PASSPHRASE_FD is incorrect.`],
      ['db dumps', 'fail', 'no backup found in /var/backups/db-*.sql.gz'],
    ])
  })

  it('nothing configured: na with how to configure it', async () => {
    const { findings } = await gather(debianNode())
    const finding = findings.find((f) => f.rule === 'backup.recent')!
    expect(finding.status).toBe('na')
    expect(finding.message).toMatch(/access\.backups/)
  })
})

it('a missing snapshot entry is never a pass', async () => {
  const s = debianNode()
  delete s.files['/etc/shadow']
  delete s.commands['auditctl -s']
  const { verdicts } = await gather(s)
  expect(verdicts['auth.password-hashes']).toBe('error')
  expect(verdicts['log.auditd']).toBe('error')
  expect(enoent('x')).toBeDefined()
})
