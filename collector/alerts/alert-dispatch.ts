import { randomUUID } from 'node:crypto'
import type { AlertEvent, AlertMessage, AlertNode } from './alert-events.js'
import { jsonBody, slackBody } from './alert-payload.js'
import { eventsFor } from './derive-events.js'
import type { Webhook } from './webhook-spec.js'

/**
 * Turns one group of events (one node's scan, one node's sweep conditions) into one
 * outbox message per destination that wants any of them, keyed for deduplication.
 */
export function messagesFor(
  webhooks: readonly Webhook[],
  group: { kind: AlertMessage['kind']; node: AlertNode | null; scanId: string | null; dedupeKey: string; events: readonly AlertEvent[] },
  now: Date,
): { webhookId: number; dedupeKey: string; messageId: string; body: string }[] {
  const out = []
  for (const webhook of webhooks) {
    const events = group.kind === 'test' ? [...group.events] : eventsFor(group.events, webhook)
    if (events.length === 0) continue
    const message: AlertMessage = { schema: 'posture.alert/v1', id: randomUUID(), kind: group.kind, createdAt: now.toISOString(), node: group.node, scanId: group.scanId, events }
    out.push({ webhookId: webhook.id, dedupeKey: group.dedupeKey, messageId: message.id, body: webhook.format === 'slack' ? slackBody(message) : jsonBody(message) })
  }
  return out
}
