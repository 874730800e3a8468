import { resolve } from 'node:path'
import { hostKeyId } from '../../agent/host/known-hosts.js'
import { formatSshTarget } from '../../agent/host/ssh-target.js'
import { parseLabels } from '../../collector/collector-admin.js'
import { addSshNode, removeSshNode, trustSshHostKey } from '../../collector/schedule/schedule-admin.js'
import { PostureError } from '../../rules/posture-error.js'
import type { CliIO } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'
import { actor, help, onlyName, withAdmin, type Action } from './collector-schedule.js'

/**
 * `posture collector ssh-node …`: nodes scanned agentless by schedules in ssh mode, on the
 * data directory directly, beside a running collector. Every change is audited as `cli:USER`.
 */
export const sshNodeHelp = `Usage: posture collector ssh-node add NAME USER@HOST[:PORT] (--key FILE | --agent) [--sudo] [--labels k=v,...] [--data DIR | --database URL]
       posture collector ssh-node list [--json] [--data DIR | --database URL]
       posture collector ssh-node remove NAME [--data DIR | --database URL]
       posture collector ssh-node trust NAME --fingerprint SHA256:... [--data DIR | --database URL]

Nodes that cannot run an agent, scanned over SSH by schedules in ssh mode with the same
checks. Keys only: --key names an unencrypted private key file on the collector's host
(read at each scan, never copied into the database), --agent uses the collector's
ssh-agent. The host key is pinned on first use; a changed key refuses the scan and opens a
critical finding (agentless.ssh-host-key). After checking the new key on the node's
console ('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub'), trust it with 'trust'.

Options:
  --sudo             run commands and file reads through 'sudo -n' (never prompts)
  --labels k=v,...   labels schedules select nodes by`

export async function sshNodeSubcommand(args: string[], io: CliIO): Promise<number> {
  const [action, ...rest] = args
  const run = action === undefined ? undefined : sshNodeActions[action]
  if (!run) {
    io.stdout.write(sshNodeHelp + '\n')
    return action === undefined || action === '--help' || action === '-h' ? 0 : 2
  }
  return run(rest, io)
}

const sshNodeActions: Record<string, Action> = {
  async add(args, io) {
    const { values, positionals } = parseCommandArgs(
      'collector ssh-node add',
      args,
      { data: { type: 'string' }, database: { type: 'string' }, key: { type: 'string' }, agent: { type: 'boolean' }, sudo: { type: 'boolean' }, labels: { type: 'string' } },
      true,
    )
    if (values.help) return help(io, sshNodeHelp)
    if (positionals.length !== 2) throw new PostureError('BAD_USAGE', 'usage: posture collector ssh-node add NAME USER@HOST[:PORT] (--key FILE | --agent)')
    if ((values.key === undefined) === !values.agent) throw new PostureError('BAD_USAGE', 'give --key FILE or --agent (one of them)')
    const input = {
      name: positionals[0],
      address: positionals[1],
      key: values.agent ? 'agent' : resolve(io.cwd, values.key!),
      sudo: values.sudo ?? false,
      labels: parseLabels(values.labels),
    }
    return withAdmin(values, io, async (deps, now) => {
      const node = await addSshNode(deps, input, actor(io), now)
      io.stdout.write(`added SSH node ${node.name}: ${formatSshTarget(node.target)}, key ${node.key}${node.sudo ? ', sudo -n' : ''}\n`)
      io.stdout.write('its host key is pinned at its first scan\n')
      return 0
    })
  },

  async list(args, io) {
    const { values } = parseCommandArgs('collector ssh-node list', args, { data: { type: 'string' }, database: { type: 'string' }, json: { type: 'boolean' } })
    if (values.help) return help(io, sshNodeHelp)
    return withAdmin(values, io, async (deps) => {
      const nodes = await Promise.all(
        (await deps.nodes.list()).map(async (node) => ({ ...node, hostKey: await deps.nodes.hostKey(hostKeyId(node.target.host, node.target.port)) })),
      )
      if (values.json) {
        io.stdout.write(JSON.stringify({ nodes }, null, 2) + '\n')
        return 0
      }
      if (nodes.length === 0) io.stdout.write('no SSH nodes (posture collector ssh-node add --help)\n')
      for (const node of nodes) {
        const labels = Object.entries(node.labels).map(([k, v]) => `${k}=${v}`).join(',')
        io.stdout.write(`${node.name}  ${formatSshTarget(node.target)}  key ${node.key}${node.sudo ? '  sudo' : ''}${labels ? `  ${labels}` : ''}\n`)
        const key = node.hostKey ? `${node.hostKey.keyType} ${node.hostKey.fingerprint}${node.hostKey.refused ? `  REFUSED ${node.hostKey.refused.keyType ?? '?'} ${node.hostKey.refused.fingerprint ?? '(pinned type not offered)'} at ${node.hostKey.refused.at}` : ''}` : 'not pinned yet'
        io.stdout.write(`  host key: ${key}\n  last scan: ${node.lastScanAt ?? 'never'}${node.lastError ? `  error: ${node.lastError}` : ''}\n`)
      }
      return 0
    })
  },

  async remove(args, io) {
    const { values, positionals } = parseCommandArgs('collector ssh-node remove', args, { data: { type: 'string' }, database: { type: 'string' } }, true)
    if (values.help) return help(io, sshNodeHelp)
    const name = onlyName(positionals, 'ssh-node remove NAME')
    return withAdmin(values, io, async (deps) => {
      await removeSshNode(deps, name, actor(io))
      io.stdout.write(`removed SSH node ${name}\n`)
      return 0
    })
  },

  async trust(args, io) {
    const { values, positionals } = parseCommandArgs('collector ssh-node trust', args, { data: { type: 'string' }, database: { type: 'string' }, fingerprint: { type: 'string' } }, true)
    if (values.help) return help(io, sshNodeHelp)
    const name = onlyName(positionals, 'ssh-node trust NAME --fingerprint SHA256:...')
    if (values.fingerprint === undefined) throw new PostureError('BAD_USAGE', '--fingerprint SHA256:... is required: the key you checked on the node console')
    return withAdmin(values, io, async (deps, now) => {
      const pinned = await trustSshHostKey(deps, name, values.fingerprint!, actor(io), now)
      io.stdout.write(`SSH node ${name}: now trusting ${pinned.keyType} ${pinned.fingerprint}\n`)
      return 0
    })
  },
}
