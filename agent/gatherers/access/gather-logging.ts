import type { AuditdFacts, LoggingFacts } from '../../../rules/facts/access.js'
import type { Host } from '../../host/host.js'
import { commandStdout } from '../evidence.js'
import { countAuditRules, parseAuditctlStatus } from './auditctl.js'
import { audispRemoteServer, journaldStorage, journalUploadUrl, parseRsyslog, pluginActive } from './log-config.js'
import { textOrEmpty, type NodeFiles } from './node-files.js'

/** Drop-in directories of journald.conf(5), lowest precedence first. */
const journaldDropIns = ['/usr/lib/systemd/journald.conf.d', '/run/systemd/journald.conf.d', '/etc/systemd/journald.conf.d']

/**
 * Are authentication events kept, and do they leave the node? journald (persistent
 * storage), rsyslog (files for auth/authpriv, when it runs), and forwarding by rsyslog,
 * systemd-journal-upload or audisp-remote.
 */
export async function gatherLogging(host: Host, files: NodeFiles): Promise<{ facts: LoggingFacts } | { failed: string }> {
  const problems: string[] = []
  const [systemd, journalDir, journald, rsyslogMain, rsyslogDir, uploadConf, auRemote, audispConf] = await Promise.all([
    files.isDirectory('/run/systemd/system'),
    files.isDirectory('/var/log/journal'),
    readJournaldConfig(files, problems),
    files.read('/etc/rsyslog.conf'),
    readDir(files, '/etc/rsyslog.d', '.conf', problems),
    files.read('/etc/systemd/journal-upload.conf'),
    files.read('/etc/audit/plugins.d/au-remote.conf'),
    files.read('/etc/audit/audisp-remote.conf'),
  ])
  const services = await unitStates(host, ['rsyslog', 'systemd-journal-upload'])

  const storage = journaldStorage(journald)
  const booted = known(systemd, problems)
  const hasJournalDir = known(journalDir, problems)
  // journald.conf(5): `auto` stores on disk when /var/log/journal exists.
  const journaldPersistent = booted && (storage === 'persistent' || (storage === 'auto' && hasJournalDir))

  const rsyslogTexts = [textOrEmpty(rsyslogMain, problems), ...rsyslogDir].filter(Boolean)
  const rsyslog = parseRsyslog(rsyslogTexts)
  // Configured is not running: count rsyslog only when systemd says it is active, or
  // when there is no systemd to ask (then the configuration is all there is to go on).
  const rsyslogRuns = services === null ? rsyslogTexts.length > 0 : services.get('rsyslog') === 'active'

  const forwarding: string[] = rsyslogRuns ? [...rsyslog.forwarding] : []
  const uploadUrl = journalUploadUrl(textOrEmpty(uploadConf, problems))
  if (uploadUrl && services?.get('systemd-journal-upload') === 'active') forwarding.push(`journal-upload ${uploadUrl}`)
  const remote = audispRemoteServer(textOrEmpty(audispConf, problems))
  if (remote && pluginActive(textOrEmpty(auRemote, problems))) forwarding.push(`audisp-remote ${remote}`)

  if (problems.length > 0) return { failed: [...new Set(problems)].join('; ') }
  return {
    facts: {
      journaldPersistent,
      journaldStorage: storage,
      authLogFiles: rsyslogRuns ? rsyslog.authFiles : [],
      forwarding,
    },
  }
}

/** auditd: is it installed, enabled in the kernel, and is a daemon receiving events (`auditctl -s`)? */
export async function gatherAuditd(host: Host): Promise<{ facts: AuditdFacts } | { failed: string }> {
  const statusArgv = ['auditctl', '-s']
  const status = await host.run(statusArgv, { timeoutMs: 5_000 })
  if ('error' in status && status.error === 'ENOENT') return { facts: { installed: false, enabled: 0, pid: 0, rules: null } }
  const text = commandStdout(statusArgv, status)
  if (!text.ok) return { failed: text.reason }
  const parsed = parseAuditctlStatus(text.value)
  if (!parsed) return { failed: `auditctl -s: unexpected output ${JSON.stringify(text.value.slice(0, 60))}` }
  const rulesArgv = ['auditctl', '-l']
  const rules = commandStdout(rulesArgv, await host.run(rulesArgv, { timeoutMs: 5_000 }))
  return { facts: { installed: true, ...parsed, rules: rules.ok ? countAuditRules(rules.value) : null } }
}

/** `systemctl is-active UNIT…` prints one state per unit (exit 3 when any is inactive); null without systemctl. */
export async function unitStates(host: Host, units: readonly string[]): Promise<Map<string, string> | null> {
  const argv = ['systemctl', 'is-active', ...units]
  const result = await host.run(argv, { timeoutMs: 5_000 })
  if ('error' in result) return null
  const states = result.stdout.split('\n').map((s) => s.trim()).filter(Boolean)
  if (states.length !== units.length) return null
  return new Map(units.map((u, i) => [u, states[i]!]))
}

async function readJournaldConfig(files: NodeFiles, problems: string[]): Promise<string[]> {
  const texts = [textOrEmpty(await files.read('/etc/systemd/journald.conf'), problems)]
  // Drop-ins sort by file name across directories; a name in /etc overrides the same name elsewhere.
  const byName = new Map<string, string>()
  for (const dir of journaldDropIns) {
    const listing = await files.list(dir)
    if ('failed' in listing) {
      problems.push(listing.failed)
      continue
    }
    for (const name of listing.names.filter((n) => n.endsWith('.conf'))) byName.set(name, `${dir}/${name}`)
  }
  for (const name of [...byName.keys()].sort()) texts.push(textOrEmpty(await files.read(byName.get(name)!), problems))
  return texts
}

async function readDir(files: NodeFiles, dir: string, suffix: string, problems: string[]): Promise<string[]> {
  const listing = await files.list(dir)
  if ('failed' in listing) {
    problems.push(listing.failed)
    return []
  }
  const texts: string[] = []
  for (const name of listing.names.filter((n) => n.endsWith(suffix))) texts.push(textOrEmpty(await files.read(`${dir}/${name}`), problems))
  return texts
}

function known(answer: boolean | { failed: string }, problems: string[]): boolean {
  if (typeof answer === 'boolean') return answer
  problems.push(answer.failed)
  return false
}
