import { waitForAbort } from '../wait-for-abort.js'
import type { CliIO, Command } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'
import { buildFullCollector } from '../../collector/full-collector.js'
import { parseDuration } from '../../agent/agent-duration.js'
import { scheduleSubcommand } from './collector-schedule.js'
import { auditSubcommand, signingKeySubcommand } from './collector-evidence.js'
import { sshNodeSubcommand } from './collector-ssh-node.js'
import { webhookSubcommand } from './collector-webhook.js'
import { migrateSubcommand } from './collector-migrate.js'
import { createApiToken, createJoinString, createUserWithOneTimePassword, openAdminStore, parseLabels } from '../../collector/collector-admin.js'
import { readCollectorConfigFile, resolveCollectorConfig, type CollectorConfigInput } from '../../collector/collector-config.js'
import { roles, type Role, type Store } from '../../collector/store/store.js'
import { openPgStore } from '../../collector/store/pg/pg-store.js'
import { loadScoringPolicy } from '../../rules/load-rules.js'
import { PostureError, errorMessage } from '../../rules/posture-error.js'

const help = `Usage: posture collector [options]
       posture collector token [--data DIR | --database URL] [--labels k=v,...] [--ttl DURATION] [--url URL]
       posture collector api-token --role admin|operator|auditor [--name NAME] [--data DIR | --database URL]
       posture collector user add USERNAME --role admin|operator|auditor [--data DIR | --database URL]
       posture collector revoke AGENT_ID [--data DIR | --database URL]
       posture collector agents [--data DIR | --database URL]
       posture collector schedule add|list|runs|enable|disable|remove ... [--data DIR]
       posture collector ssh-node add|list|remove|trust ... [--data DIR]
       posture collector signing-key | audit verify [--data DIR]
       posture collector webhook add|list|remove|test ... [--data DIR]
       posture collector migrate --from-sqlite DIR --database postgres://…

Runs the collector: agents stream findings to it over WebSocket (TLS), it scores every
node and keeps the history in SQLite under --data (or in PostgreSQL with --database), and
serves the JSON API.

Options:
  --data DIR            data directory (default ./posture-data): the SQLite database, TLS identity, keys
  --database URL        PostgreSQL instead of SQLite: postgres://USER@HOST:PORT/DB (password: PGPASSWORD
                        or ~/.pgpass); several collectors, each with its own --data, may share one database
  --listen HOST:PORT    where to listen (default 127.0.0.1:8443)
  --config FILE         collector config (YAML); flags override it
  --tls-cert FILE       PEM certificate (with --tls-key); default: self-signed, made on first start
  --tls-key FILE        PEM private key
  --insecure-http       plain HTTP, for local development only
  --rules DIR           user rule directory (repeatable): used for scoring and pushed to agents
  -h, --help            show this help

Subcommands (they work beside a running collector):
  token       print a join string for 'posture agent --join' (one-time, valid --ttl, default 24h)
  api-token   print an API token for 'Authorization: Bearer …'
  user add    create a user with a one-time password (printed once)
  revoke      revoke an agent's credential; a connected agent is disconnected within seconds
  agents      list enrolled agents
  schedule    scheduled audit scans through agents or over SSH (posture collector schedule --help)
  ssh-node    nodes scanned over SSH without an agent (posture collector ssh-node --help)
  signing-key print the public key evidence exports are signed with (for posture verify --key)
  audit verify  check the audit log's hash chain
  webhook     alert destinations: webhooks, generic JSON or Slack (posture collector webhook --help)
  migrate     copy a SQLite installation into an empty PostgreSQL database (posture collector migrate --help)

Examples:
  posture collector --data /var/lib/posture --listen 0.0.0.0:8443
  posture collector token --labels env=prod,rack=r12
  posture collector api-token --role auditor`

type Sub = (args: string[], io: CliIO) => Promise<number>

const subcommands: Record<string, Sub> = {
  schedule: scheduleSubcommand,
  'ssh-node': sshNodeSubcommand,
  'signing-key': signingKeySubcommand,
  audit: auditSubcommand,
  webhook: webhookSubcommand,
  migrate: migrateSubcommand,
  token: async (args, io) => {
    const { values } = parseCommandArgs('collector token', args, { data: { type: 'string' }, database: { type: 'string' }, labels: { type: 'string' }, ttl: { type: 'string' }, url: { type: 'string' } })
    if (values.help) return printHelp(io)
    const store = await openAdminStoreFor(values, io)
    try {
      const result = await createJoinString(store, { labels: parseLabels(values.labels), ttlMs: parseDuration(values.ttl ?? '24h', '--ttl'), now: new Date(), url: values.url })
      io.stdout.write(`${result.joinString}\n`)
      io.stderr.write(`One-time join string for ${result.url}, valid until ${result.expiresAt}.\nOn the node: posture agent --join '<the string above>'\n`)
      return 0
    } finally {
      store.close()
    }
  },
  'api-token': async (args, io) => {
    const { values } = parseCommandArgs('collector api-token', args, { data: { type: 'string' }, database: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } })
    if (values.help) return printHelp(io)
    const role = parseRole(values.role)
    const store = await openAdminStoreFor(values, io)
    try {
      const { token } = await createApiToken(store, role, values.name ?? `${role} token`, new Date())
      io.stdout.write(`${token}\n`)
      io.stderr.write(`API token with role ${role}. Use it as: Authorization: Bearer <token>. It is shown once.\n`)
      return 0
    } finally {
      store.close()
    }
  },
  user: async (args, io) => {
    const { values, positionals } = parseCommandArgs('collector user', args, { data: { type: 'string' }, database: { type: 'string' }, role: { type: 'string' } }, true)
    if (values.help) return printHelp(io)
    if (positionals[0] !== 'add' || positionals.length !== 2) throw new PostureError('BAD_USAGE', 'usage: posture collector user add USERNAME --role admin|operator|auditor')
    const role = parseRole(values.role)
    const store = await openAdminStoreFor(values, io)
    try {
      const { password } = await createUserWithOneTimePassword(store, positionals[1]!, role, new Date())
      io.stdout.write(`user ${positionals[1]} (${role}) created; one-time password: ${password}\nIt is shown once and must be changed at first login.\n`)
      return 0
    } finally {
      store.close()
    }
  },
  revoke: async (args, io) => {
    const { values, positionals } = parseCommandArgs('collector revoke', args, { data: { type: 'string' }, database: { type: 'string' } }, true)
    if (values.help) return printHelp(io)
    if (positionals.length !== 1) throw new PostureError('BAD_USAGE', 'usage: posture collector revoke AGENT_ID (see posture collector agents)')
    const store = await openAdminStoreFor(values, io)
    try {
      if (!(await store.findAgent(positionals[0]!))) throw new PostureError('BAD_USAGE', `no agent ${positionals[0]} (see posture collector agents)`)
      const revoked = await store.revokeAgent(positionals[0]!, new Date())
      io.stdout.write(revoked ? `agent ${positionals[0]} revoked; a running collector disconnects it within seconds\n` : `agent ${positionals[0]} was already revoked\n`)
      return 0
    } finally {
      store.close()
    }
  },
  agents: async (args, io) => {
    const { values } = parseCommandArgs('collector agents', args, { data: { type: 'string' }, database: { type: 'string' } })
    if (values.help) return printHelp(io)
    const store = await openAdminStoreFor(values, io)
    try {
      for (const a of await store.listAgents()) {
        io.stdout.write(`${a.id}  ${a.hostname}  ${a.agentVersion}  ${a.revokedAt ? `revoked ${a.revokedAt}` : `last seen ${a.lastSeen ?? 'never'}`}  ${Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(',')}\n`)
      }
      return 0
    } finally {
      store.close()
    }
  },
}

export const collectorCommand: Command = {
  name: 'collector',
  help,
  async run(args, io) {
    const sub = args[0] !== undefined ? subcommands[args[0]] : undefined
    if (sub) return sub(args.slice(1), io)
    const { values } = parseCommandArgs('collector', args, {
      data: { type: 'string' },
      database: { type: 'string' },
      listen: { type: 'string' },
      config: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'insecure-http': { type: 'boolean' },
      rules: { type: 'string', multiple: true },
    })
    if (values.help) return printHelp(io)
    const overrides: CollectorConfigInput = {
      ...(values.data !== undefined ? { dataDir: values.data } : {}),
      ...(values.database !== undefined ? { database: values.database } : {}),
      ...(values.listen !== undefined ? { listen: parseListen(values.listen) } : {}),
      ...(values.rules !== undefined ? { rulesDirs: values.rules } : {}),
      tls: {
        ...(values['tls-cert'] !== undefined ? { certFile: values['tls-cert'] } : {}),
        ...(values['tls-key'] !== undefined ? { keyFile: values['tls-key'] } : {}),
        ...(values['insecure-http'] ? { insecureHttp: true } : {}),
      },
    }
    const fromFile = values.config !== undefined ? readCollectorConfigFile(values.config) : {}
    const config = resolveCollectorConfig(fromFile, overrides, io.cwd)
    const collector = await buildFullCollector(config, { env: io.env })
    try {
      const url = await collector.start()
      io.stderr.write(`posture collector: listening on ${url} (data ${config.dataDir})\n`)
      if (collector.tls) io.stderr.write(`certificate SHA-256 fingerprint: ${collector.tls.fingerprint}\n`)
      else io.stderr.write('WARNING: plain HTTP (--insecure-http): for local development only\n')
      io.stderr.write(`join an agent: posture collector token --data ${config.dataDir}\n`)
      // SIGHUP: reload rule files and waivers, re-score, push the pack (like nginx/sshd reload).
      const stopHangup = io.onHangup?.(() => {
        collector.reloadRules().then(
          (r) => io.stderr.write(`posture collector: rules reloaded (version ${r.version}${r.changed ? `, ${r.rescored} nodes re-scored` : ', unchanged'})\n`),
          (err: unknown) => io.stderr.write(`posture collector: rules reload failed, keeping the previous rules: ${errorMessage(err)}\n`),
        )
      })
      await waitForAbort(io.signal)
      stopHangup?.()
      io.stderr.write('posture collector: shutting down\n')
      return 0
    } finally {
      await collector.close()
    }
  },
}

export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text)
  const port = match ? Number(match[3]) : Number.NaN
  if (!match || port > 65535) throw new PostureError('BAD_USAGE', `--listen: "${text}" is not HOST:PORT (e.g. 127.0.0.1:8443, [::1]:8443, 0.0.0.0:8443)`)
  return { host: match[1] ?? match[2]!, port }
}

function parseRole(value: string | undefined): Role {
  if (value === undefined || !(roles as readonly string[]).includes(value)) throw new PostureError('BAD_USAGE', `--role: one of ${roles.join(', ')}`)
  return value as Role
}

function dataDir(value: string | undefined, io: CliIO): string {
  return resolveCollectorConfig({}, value !== undefined ? { dataDir: value } : {}, io.cwd).dataDir
}

/** The admin commands' store: PostgreSQL with --database (migrated like a collector would), else SQLite in --data. */
async function openAdminStoreFor(values: { data?: string | undefined; database?: string | undefined }, io: CliIO): Promise<Store & { close(): void }> {
  if (values.database === undefined) return openAdminStore(dataDir(values.data, io))
  const { database } = resolveCollectorConfig({}, { database: values.database }, io.cwd)
  const store = await openPgStore(database!, loadScoringPolicy(), { maxConnections: 2, applicationName: 'posture-admin' })
  // The command exits right after: close() ends the pool; the process waits for it.
  return store
}

function printHelp(io: CliIO): number {
  io.stdout.write(help + '\n')
  return 0
}
