import { createHmac, timingSafeEqual } from 'node:crypto'
import type { AlertEvent, AlertMessage } from './alert-events.js'

/**
 * Message bodies and their signature (README, "Alerts"). Generic JSON is the message
 * itself, signed with HMAC-SHA256 over the exact bytes sent, in `X-Posture-Signature:
 * sha256=<hex>` (the GitHub webhook convention). Slack-compatible bodies are `{text,
 * blocks}` (Slack incoming webhooks, Block Kit); Slack does not check signatures.
 */
export const signatureHeader = 'x-posture-signature'

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`
}

/** Checks a signature header as a receiver would: constant time. */
export function verifySignature(body: string, secret: string, header: string | undefined): boolean {
  if (!header) return false
  const expected = Buffer.from(signBody(body, secret))
  const given = Buffer.from(header)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

export function jsonBody(message: AlertMessage): string {
  return JSON.stringify(message)
}

const maxBlocks = 40 // Slack allows 50 blocks per message

export function slackBody(message: AlertMessage): string {
  const title =
    message.kind === 'test'
      ? 'Posture: test message'
      : `Posture: ${message.events.length} alert${message.events.length === 1 ? '' : 's'}${message.node ? ` on ${message.node.hostname}` : ''}${message.kind === 'rescore' ? ' after re-scoring' : ''}`
  const lines = message.events.map(slackLine)
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } }]
  for (const line of lines.slice(0, maxBlocks)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: line.slice(0, 3000) } })
  if (lines.length > maxBlocks) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${lines.length - maxBlocks} more` }] })
  return JSON.stringify({ text: [escapeSlack(title), ...lines].join('\n'), blocks })
}

function slackLine(event: AlertEvent): string {
  return `*${escapeSlack(event.type)}* (${event.severity}) ${escapeSlack(event.summary)}`
}

/** Slack mrkdwn control characters; host names and messages come from agents (untrusted). */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
