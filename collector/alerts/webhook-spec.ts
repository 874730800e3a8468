import { z } from 'zod'
import { PostureError } from '../../rules/posture-error.js'
import { severitySchema, type Severity } from '../../rules/severity.js'
import { alertEventTypes, alertEventTypeSchema, type AlertEventType } from './alert-events.js'

/**
 * A webhook destination as users give it (API body, CLI flags). Only http(s) URLs: a
 * `file:` or `data:` URL is no destination. Defaults: every event, severity high and above,
 * the generic JSON format.
 */
export const webhookSpecSchema = z
  .object({
    name: z.string().min(1).max(100).optional(),
    url: z.url({ protocol: /^https?$/, error: 'url: an http:// or https:// URL' }).max(2048),
    events: z.array(alertEventTypeSchema).min(1).default([...alertEventTypes]),
    minSeverity: severitySchema.default('high'),
    format: z.enum(['json', 'slack']).default('json'),
  })
  .strict()
export type WebhookSpec = z.infer<typeof webhookSpecSchema>

export function parseWebhookSpec(input: unknown): WebhookSpec {
  const parsed = webhookSpecSchema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const where = issue.path.map(String).join('.') || '(top level)'
  const what = issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : issue.message
  throw new PostureError('BAD_INPUT', `webhook: ${where}: ${what}`)
}

/** A stored destination. The secret is never part of this view. */
export interface Webhook {
  id: number
  name: string
  url: string
  format: 'json' | 'slack'
  events: AlertEventType[]
  minSeverity: Severity
  createdAt: string
}

/** The URL with its path and query hidden, for logs: Slack-style URLs carry their secret in the path. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}/…`
  } catch {
    return '(invalid url)'
  }
}

/**
 * The URL as lists show it (API, dashboard): scheme, host and the first path segment when
 * it is short; the rest of the path, the query and any user info hidden, as `…`. Slack-
 * and Discord-style URLs carry their secret in the path, others in the query: a URL is
 * never shown back whole (whoever added it has it).
 */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url)
    const [first, ...rest] = parsed.pathname.split('/').filter(Boolean)
    const path = first === undefined ? '/' : first.length <= 24 ? `/${first}` : '/…'
    return `${parsed.protocol}//${parsed.host}${path}${rest.length > 0 ? '/…' : ''}${parsed.search ? '?…' : ''}`
  } catch {
    return '(invalid url)'
  }
}
