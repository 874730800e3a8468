import { postureVersion } from '../../../../../agent/version.js'
import { snapshotSchemaId, type Snapshot } from '../../../../../agent/snapshot.js'
import { fixture } from './fixture.js'

type Files = Snapshot['files']
type Commands = Snapshot['commands']

const enoent = (what: string) => ({ error: 'ENOENT', message: `${what}: no such file or directory` })
const notFound = (tool: string) => ({ error: 'ENOENT', message: `${tool}: command not found` })
const ok = (stdout: string, exitCode = 0, stderr = '') => ({ stdout, stderr, exitCode })

/** The argv key the gatherer uses for `sshd -T` in one Match context. */
export function sshdKey(user: string, address = '203.0.113.10', config?: string): string {
  return ['/usr/sbin/sshd', '-T', ...(config ? ['-f', config] : []), '-C', `user=${user},host=${address},addr=${address}`].join(' ')
}

/**
 * A Debian 12 node as a snapshot: the fixture files of test/fixtures/access, Debian's
 * default sshd, no fail2ban, no auditd, a persistent journal. Overrides replace entries.
 */
export function debianNode(overrides: { files?: Files; dirs?: Snapshot['dirs']; commands?: Commands } = {}): Snapshot {
  const files: Files = {
    '/etc/passwd': { content: fixture('passwd.sample') },
    '/etc/shadow': { content: fixture('shadow.sample') },
    '/etc/login.defs': { content: fixture('debian12/login.defs') },
    '/etc/sudoers': { content: fixture('debian12/sudoers') },
    '/etc/security/faillock.conf': enoent('/etc/security/faillock.conf'),
    '/etc/systemd/journald.conf': { content: '[Journal]\n#Storage=auto\n' },
    '/etc/rsyslog.conf': enoent('/etc/rsyslog.conf'),
    '/etc/systemd/journal-upload.conf': enoent('/etc/systemd/journal-upload.conf'),
    '/etc/audit/plugins.d/au-remote.conf': enoent('/etc/audit/plugins.d/au-remote.conf'),
    '/etc/audit/audisp-remote.conf': enoent('/etc/audit/audisp-remote.conf'),
  }
  for (const name of ['sshd', 'common-auth', 'login', 'common-password', 'passwd', 'other', 'common-account', 'common-session']) {
    files[`/etc/pam.d/${name}`] = { content: fixture(`debian12/pam.d/${name}`) }
  }
  const dirs: Snapshot['dirs'] = {
    '/etc/sudoers.d': { entries: ['README'] },
    '/run/systemd/system': { entries: [] },
    '/var/log/journal': { entries: ['0123456789abcdef'] },
    '/usr/lib/systemd/journald.conf.d': enoent('/usr/lib/systemd/journald.conf.d'),
    '/run/systemd/journald.conf.d': enoent('/run/systemd/journald.conf.d'),
    '/etc/systemd/journald.conf.d': enoent('/etc/systemd/journald.conf.d'),
    '/etc/rsyslog.d': enoent('/etc/rsyslog.d'),
  }
  files['/etc/sudoers.d/README'] = { content: fixture('written/sudoers.d/README') }
  const debianDefault = ok(fixture('sshd-T.debian12-default.txt'))
  const commands: Commands = {
    [sshdKey('root')]: debianDefault,
    [sshdKey('alice')]: debianDefault,
    'fail2ban-client status': notFound('fail2ban-client'),
    'systemctl is-active sshguard crowdsec': ok('inactive\ninactive\n', 3),
    'systemctl is-active rsyslog systemd-journal-upload': ok('inactive\ninactive\n', 3),
    'nft -j list ruleset': ok(fixture('nft-j-list-ruleset.default-drop.json')),
    'iptables -S': notFound('iptables'),
    'auditctl -s': notFound('auditctl'),
  }
  return {
    schema: snapshotSchemaId,
    postureVersion: postureVersion(),
    host: { description: 'test' },
    gatheredAt: '2026-01-01T00:00:00.000Z',
    domains: ['access'],
    files: { ...files, ...overrides.files },
    dirs: { ...dirs, ...overrides.dirs },
    commands: { ...commands, ...overrides.commands },
    probes: {},
  }
}

export { enoent, notFound, ok }
