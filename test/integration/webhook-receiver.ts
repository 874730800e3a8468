import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { z } from 'zod'
import type { AlertMessage } from '../../collector/alerts/alert-events.js'

/**
 * A webhook receiver on 127.0.0.1:0 for alert tests (integration and e2e): records every
 * request as received, answers with a scripted status, or hangs.
 */
export interface Received {
  headers: IncomingHttpHeaders
  body: string
}

export class Receiver {
  readonly received: Received[] = []
  /** Answers with these statuses first (then 200); 'hang' never answers. */
  script: (number | 'hang')[] = []
  readonly hanging: ServerResponse[] = []
  readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      const next = this.script.shift() ?? 200
      if (next === 'hang') {
        this.hanging.push(res)
        return
      }
      res.writeHead(next).end()
    })
  })

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1')
    await once(this.server, 'listening')
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`
  }

  /** Every body, checked against the documented payload (README, "Alerts"). */
  messages(): AlertMessage[] {
    return this.received.map((r) => documentedMessage.parse(JSON.parse(r.body)) as AlertMessage)
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    this.server.close()
  }
}

/**
 * The payload as the README documents it, strictly: a key the README does not name, or a
 * `details` field missing from an event type's documented list, fails the test.
 */
const node = z.object({ id: z.string(), hostname: z.string() }).strict()
const findingDetails = z.object({ rule: z.string(), target: z.string(), domain: z.string(), status: z.string(), title: z.string(), message: z.string() }).strict()
const slaDetails = z.object({ rule: z.string(), target: z.string(), slaDue: z.iso.datetime(), failingSince: z.iso.datetime() }).strict()
const detailsByType = {
  'finding.new': findingDetails,
  'finding.resolved': findingDetails,
  'ssh.host-key-changed': findingDetails,
  'score.dropped': z
    .object({ previousScore: z.number(), score: z.number(), previousGrade: z.string().nullable(), grade: z.string().nullable(), dropPoints: z.number(), gradeFell: z.boolean(), previousScanId: z.string() })
    .strict(),
  'certificate.expiring': z.object({ target: z.string(), subject: z.string(), notAfter: z.string(), daysRemaining: z.number().int() }).strict(),
  'node.silent': z.object({ offlineSince: z.iso.datetime() }).strict(),
  'sla.approaching': slaDetails,
  'sla.breached': slaDetails,
  'waiver.expiring': z.object({ id: z.string(), rule: z.string(), node: z.string().nullable(), target: z.string().nullable(), expires: z.iso.datetime(), approver: z.string() }).strict(),
  'schedule.failed': z
    .object({
      scheduleId: z.number(), runId: z.number(), status: z.enum(['failed', 'partial']), trigger: z.string(), slot: z.string().nullable(), targeted: z.number(), scanned: z.number(),
      failures: z.array(z.object({ target: z.string(), reason: z.string() }).strict()),
    })
    .strict(),
} as const
const cause = z
  .object({
    type: z.literal('rescore'),
    rulesVersion: z.object({ previous: z.string(), current: z.string() }).strict().nullable(),
    waivers: z.array(z.object({ id: z.string(), rule: z.string(), change: z.enum(['added', 'removed', 'expired', 'changed']) }).strict()),
  })
  .strict()
const event = z
  .object({
    type: z.enum(Object.keys(detailsByType) as [keyof typeof detailsByType, ...(keyof typeof detailsByType)[]]),
    severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
    node: node.nullable(),
    subject: z.string().min(1),
    summary: z.string().min(1),
    details: z.record(z.string(), z.unknown()),
    cause: cause.optional(),
  })
  .strict()
  .superRefine((e, issues) => {
    if (e.subject === 'test' && e.details.test === true) return // a test send
    const parsed = detailsByType[e.type].safeParse(e.details)
    if (!parsed.success) issues.addIssue({ code: 'custom', message: `${e.type} details: ${parsed.error.message}` })
  })
export const documentedMessage = z
  .object({
    schema: z.literal('posture.alert/v1'),
    id: z.uuid(),
    kind: z.enum(['scan', 'rescore', 'sweep', 'schedule', 'test']),
    createdAt: z.iso.datetime(),
    node: node.nullable(),
    scanId: z.string().nullable(),
    events: z.array(event).min(1),
  })
  .strict()
  .superRefine((m, issues) => {
    // A re-scoring's events, and only its events, say why.
    for (const e of m.events) if ((e.cause !== undefined) !== (m.kind === 'rescore')) issues.addIssue({ code: 'custom', message: `${m.kind} message with an event ${e.cause ? 'with' : 'without'} a cause` })
  })
