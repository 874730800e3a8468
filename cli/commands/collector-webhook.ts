import { randomUUID } from 'node:crypto'
import { userInfo } from 'node:os'
import type { AuditLog } from '../../collector/audit/audit-log.js'
import { messagesFor } from '../../collector/alerts/alert-dispatch.js'
import { alertEventTypes, alertEventTypeSchema } from '../../collector/alerts/alert-events.js'
import { sendWebhook } from '../../collector/alerts/send-webhook.js'
import type { AlertStore, Delivery } from '../../collector/alerts/alert-store.js'
import { parseWebhookSpec } from '../../collector/alerts/webhook-spec.js'
import { openCliBackend } from '../admin-backend.js'
import { postureVersion } from '../../agent/version.js'
import { PostureError } from '../../rules/posture-error.js'
import type { CliIO } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'

/**
 * `posture collector webhook …`: alert destinations, edited in the data directory beside a
 * running collector (it reads destinations at each alert). `test` sends from this process
 * and prints the receiver's answer; it is also in the destination's delivery log.
 */
export const webhookHelp = `Usage: posture collector webhook add --url URL [--events LIST] [--min-severity SEVERITY] [--format json|slack] [--name NAME] [--data DIR | --database URL]
       posture collector webhook list [--json] [--data DIR | --database URL]
       posture collector webhook remove ID [--data DIR | --database URL]
       posture collector webhook test ID [--data DIR | --database URL]

Alerts: the collector POSTs a message when posture gets worse (or better), one message
per node per scan. Generic JSON messages carry X-Posture-Signature: sha256=<hex>, an
HMAC-SHA256 of the body with the destination's secret (printed once, by add).

Options for add:
  --url URL              http:// or https:// only
  --events LIST          comma-separated, default all: ${alertEventTypes.join(', ')}
  --min-severity SEV     critical, high (default), medium, low or info
  --format FORMAT        json (default; signed) or slack ({text, blocks})

Examples:
  posture collector webhook add --url https://hooks.example.net/posture --min-severity critical
  posture collector webhook add --url https://hooks.slack.com/services/T/B/X --format slack --events finding.new,node.silent`

type Action = (args: string[], io: CliIO) => Promise<number>

export async function webhookSubcommand(args: string[], io: CliIO): Promise<number> {
  const [action, ...rest] = args
  const run = action === undefined ? undefined : actions[action]
  if (!run) {
    io.stdout.write(webhookHelp + '\n')
    return action === undefined || action === '--help' || action === '-h' ? 0 : 2
  }
  return run(rest, io)
}

const actions: Record<string, Action> = {
  async add(args, io) {
    const { values, positionals } = parseCommandArgs(
      'collector webhook add',
      args,
      { data: { type: 'string' }, database: { type: 'string' }, url: { type: 'string' }, events: { type: 'string' }, 'min-severity': { type: 'string' }, format: { type: 'string' }, name: { type: 'string' } },
      true,
    )
    if (values.help) return help(io)
    if (positionals.length > 0) throw new PostureError('BAD_USAGE', `webhook add: unexpected ${positionals[0]} (give the URL with --url)`)
    if (values.url === undefined) throw new PostureError('BAD_USAGE', 'webhook add: --url URL is required')
    const events = values.events?.split(',').map((e) => e.trim()).filter(Boolean)
    for (const e of events ?? []) if (!alertEventTypeSchema.safeParse(e).success) throw new PostureError('BAD_USAGE', `--events: unknown event ${e} (one of ${alertEventTypes.join(', ')})`)
    const spec = parseWebhookSpec({
      url: values.url,
      ...(events ? { events } : {}),
      ...(values['min-severity'] !== undefined ? { minSeverity: values['min-severity'] } : {}),
      ...(values.format !== undefined ? { format: values.format } : {}),
      ...(values.name !== undefined ? { name: values.name } : {}),
    })
    return withAlerts(values, io, async ({ alerts, audit }) => {
      const { webhook, secret } = await alerts.addWebhook(spec, new Date())
      await audit.append({ actor: cliActor(), ip: null, action: 'webhook.change', target: `webhook:${webhook.id}`, outcome: 'success', details: { change: 'add', name: webhook.name, format: webhook.format } })
      io.stdout.write(`webhook ${webhook.id} added (${webhook.format}, ${webhook.minSeverity} and above, events: ${webhook.events.join(',')})\n`)
      if (webhook.format === 'json') io.stdout.write(`signing secret (shown once): ${secret}\nReceivers check X-Posture-Signature: sha256=HMAC-SHA256(secret, raw body) in hex.\n`)
      return 0
    })
  },
  async list(args, io) {
    const { values } = parseCommandArgs('collector webhook list', args, { data: { type: 'string' }, database: { type: 'string' }, json: { type: 'boolean' } })
    if (values.help) return help(io)
    return withAlerts(values, io, async ({ alerts }) => {
      const webhooks = await alerts.webhooks()
      const lastDelivery = new Map<number, Delivery | null>()
      for (const w of webhooks) lastDelivery.set(w.id, (await alerts.deliveries(w.id, 1))[0] ?? null)
      if (values.json) {
        io.stdout.write(JSON.stringify({ webhooks: webhooks.map((w) => ({ ...w, lastDelivery: lastDelivery.get(w.id) ?? null })) }, null, 2) + '\n')
        return 0
      }
      for (const w of webhooks) {
        const last = lastDelivery.get(w.id)
        io.stdout.write(`${w.id}  ${w.name}  ${w.format}  ${w.minSeverity}+  ${w.events.length === alertEventTypes.length ? 'all events' : w.events.join(',')}  ${w.url}  ${last ? `last: ${last.outcome} ${last.at}${last.error ? ` (${last.error})` : ''}` : 'never sent'}\n`)
      }
      return 0
    })
  },
  async remove(args, io) {
    const { values, positionals } = parseCommandArgs('collector webhook remove', args, { data: { type: 'string' }, database: { type: 'string' } }, true)
    if (values.help) return help(io)
    const id = webhookId(positionals, 'remove')
    return withAlerts(values, io, async ({ alerts, audit }) => {
      if (!(await alerts.removeWebhook(id, new Date()))) throw new PostureError('BAD_USAGE', `no webhook ${id} (see posture collector webhook list)`)
      await audit.append({ actor: cliActor(), ip: null, action: 'webhook.change', target: `webhook:${id}`, outcome: 'success', details: { change: 'remove' } })
      io.stdout.write(`webhook ${id} removed\n`)
      return 0
    })
  },
  async test(args, io) {
    const { values, positionals } = parseCommandArgs('collector webhook test', args, { data: { type: 'string' }, database: { type: 'string' } }, true)
    if (values.help) return help(io)
    const id = webhookId(positionals, 'test')
    return withAlerts(values, io, async ({ alerts }) => {
      const webhook = await alerts.webhookWithSecret(id)
      if (!webhook) throw new PostureError('BAD_USAGE', `no webhook ${id} (see posture collector webhook list)`)
      const now = new Date()
      const event = { type: webhook.events[0] ?? 'finding.new', severity: 'info', node: null, subject: 'test', summary: `test message from Posture to ${webhook.name}`, details: { test: true } } as const
      const [message] = messagesFor([webhook], { kind: 'test', node: null, scanId: null, dedupeKey: `test|${randomUUID()}`, events: [event] }, now)
      const result = await sendWebhook(webhook, message!.body, { messageId: message!.messageId, userAgent: `posture/${postureVersion()}` }, 10_000)
      // In the delivery log like any other message.
      await alerts.recordSent(message!, { at: new Date(), ok: result.ok, httpStatus: result.httpStatus, error: result.error, durationMs: result.durationMs })
      io.stdout.write(result.ok ? `delivered: HTTP ${result.httpStatus} in ${Math.round(result.durationMs)} ms\n` : `not delivered: ${result.error}\n`)
      return result.ok ? 0 : 3
    })
  },
}

async function withAlerts(values: { data?: string | undefined; database?: string | undefined }, io: CliIO, fn: (deps: { alerts: AlertStore; audit: AuditLog }) => Promise<number>): Promise<number> {
  const backend = await openCliBackend(values, io)
  try {
    return await fn({ alerts: backend.alerts, audit: backend.audit })
  } finally {
    await backend.close()
  }
}

function webhookId(positionals: string[], action: string): number {
  const id = Number(positionals[0])
  if (positionals.length !== 1 || !Number.isInteger(id) || id <= 0) throw new PostureError('BAD_USAGE', `usage: posture collector webhook ${action} ID (see posture collector webhook list)`)
  return id
}

function cliActor(): string {
  try {
    return `cli:${userInfo().username}`
  } catch {
    return 'cli'
  }
}

function help(io: CliIO): number {
  io.stdout.write(webhookHelp + '\n')
  return 0
}
