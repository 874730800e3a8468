import { readFileSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { addKnownHost, defaultKnownHostsPath, readKnownHosts } from '../../agent/host/known-hosts-file.js'
import { RecordingHost } from '../../agent/host/recording-host.js'
import { formatSshTarget, parseSshTarget } from '../../agent/host/ssh-target.js'
import { snapshotFrom } from '../../agent/gather-snapshot.js'
import { scanOverSsh } from '../../collector/ssh/scan-over-ssh.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { PostureError } from '../../rules/posture-error.js'
import { atLeast } from '../../rules/severity.js'
import type { Command } from '../command.js'
import { loadScanConfig, parseDomains, parseSeverity, writeSnapshotFile } from '../options.js'
import { parseCommandArgs } from '../parse-args.js'
import { renderReport } from '../render-report.js'

export const sshScanCommand: Command = {
  name: 'ssh-scan',
  help: `Usage: posture ssh-scan USER@HOST[:PORT] [options]

Connects over SSH, runs the same gatherers as 'posture scan' on the remote host, and
prints the same report. Nothing is installed on the host. Authentication uses a key
(--key) or ssh-agent (SSH_AUTH_SOCK), never passwords. The host key is pinned on first
use in a known-hosts file of Posture's own; a changed key refuses the scan.

Network probes (TLS handshakes with the host's public addresses) are made from this
machine; probes only the host itself can make (its loopback services, isolation, disk
hardware) are reported as "could not be checked".

Options:
  --key FILE           unencrypted private key (protected keys: load them into ssh-agent)
  --sudo               run commands and file reads through 'sudo -n' (never prompts)
  --known-hosts FILE   pinned host keys (default: ~/.config/posture/known_hosts.json)
  --connect-timeout MS TCP connect, handshake and authentication limit (default 10000)
  --only DOMAINS       comma-separated domains: system, tls, http, patches, network,
                       storage, access, dns (default: all)
  --rules DIR          add a directory of rule files (repeatable)
  --config FILE        scan configuration (YAML)
  --json               print the posture.report/v1 JSON document
  --fail-on SEVERITY   exit 1 when an unwaived failure at or above SEVERITY exists
  --save-snapshot FILE also write everything this scan read, as a snapshot
  -h, --help           show this help

Exit codes: 0 done, 1 failures at or above --fail-on, 2 bad usage or input,
3 could not run (connection refused, authentication failed, host key changed, timeout).

Examples:
  posture ssh-scan root@10.0.4.17 --key ~/.ssh/posture_ed25519
  posture ssh-scan ops@node7.example:2222 --sudo --only access,patches --json`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      'ssh-scan',
      args,
      {
        key: { type: 'string' },
        sudo: { type: 'boolean' },
        'known-hosts': { type: 'string' },
        'connect-timeout': { type: 'string' },
        only: { type: 'string' },
        rules: { type: 'string', multiple: true },
        config: { type: 'string' },
        json: { type: 'boolean' },
        'fail-on': { type: 'string' },
        'save-snapshot': { type: 'string' },
      },
      true,
    )
    if (values.help) {
      io.stdout.write(this.help + '\n')
      return 0
    }
    if (positionals.length !== 1) throw new PostureError('BAD_USAGE', 'give exactly one USER@HOST[:PORT] (see posture ssh-scan --help)')
    const target = parseSshTarget(positionals[0]!, io.env.USER ?? userInfo().username)
    const domains = parseDomains(values.only)
    const failOn = parseSeverity(values['fail-on'], '--fail-on')
    const connectTimeoutMs = parseMillis(values['connect-timeout'], '--connect-timeout')
    const ruleSet = loadRuleSet({ userDirs: values.rules ?? [] })
    const config = loadScanConfig(values.config)
    const privateKey = values.key === undefined ? undefined : readKey(values.key)
    const agent = io.env.SSH_AUTH_SOCK || undefined
    if (!privateKey && !agent) throw new PostureError('BAD_USAGE', 'no key: give --key FILE or run ssh-agent (SSH_AUTH_SOCK)')
    const knownHosts = values['known-hosts'] ?? defaultKnownHostsPath(io.env, io.env.HOME ?? homedir())

    const { report, newPin, recorder } = await scanOverSsh({
      target,
      ...(privateKey ? { privateKey } : {}),
      ...(agent ? { agent } : {}),
      sudo: values.sudo ?? false,
      ...(connectTimeoutMs ? { connectTimeoutMs } : {}),
      pins: {
        get: async (id) => (await readKnownHosts(knownHosts))[id],
        pin: (id, key) => addKnownHost(knownHosts, id, key),
      },
      scan: { ruleSet, domains, config },
      ...(values['save-snapshot'] !== undefined ? { recorder: (host) => new RecordingHost(host) } : {}),
    })
    if (newPin) {
      io.stderr.write(`posture ssh-scan: ${formatSshTarget(target)}: pinned host key ${newPin.keyType} ${newPin.fingerprint} (first use) in ${knownHosts}\n`)
    }
    if (recorder) await writeSnapshotFile(values['save-snapshot']!, snapshotFrom(recorder, domains, new Date(report.startedAt)))

    io.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report, { color: io.color }))
    if (failOn && report.findings.some((f) => f.status === 'fail' && atLeast(f.severity, failOn))) return 1
    return 0
  },
}

/** The key file's text; its content never appears in any message. */
function readKey(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new PostureError('UNREADABLE', `--key ${path}: cannot read (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`)
  }
}

function parseMillis(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const ms = Number(value)
  if (!Number.isInteger(ms) || ms < 100 || ms > 600_000) throw new PostureError('BAD_USAGE', `${flag}: "${value}" is not a number of milliseconds between 100 and 600000`)
  return ms
}
