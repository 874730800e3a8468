import { alertEventTypes, type AlertEventType, type AlertMessage } from './alert-events.js'
import type { Delivery } from './alert-store.js'

/**
 * One delivery-log row as the API shows it (both backends): the attempt, plus what the
 * message was about (its kind, from the dedupe key; its event types, from the body sent)
 * and, for the latest attempt of a message still pending, when the next one is due.
 */
export interface DeliveryRow {
  id: number
  message_id: string
  attempt: number
  at: string
  outcome: Delivery['outcome']
  http_status: number | null
  error: string | null
  duration_ms: number
  dedupe_key: string
  body: string
  message_status: 'pending' | 'delivered' | 'failed'
  message_attempts: number
  next_attempt_at: string
}

export function deliveryFromRow(r: DeliveryRow): Delivery {
  const latestPending = r.message_status === 'pending' && Number(r.attempt) === Number(r.message_attempts)
  return {
    id: Number(r.id),
    messageId: r.message_id,
    attempt: Number(r.attempt),
    at: r.at,
    outcome: r.outcome,
    httpStatus: r.http_status === null ? null : Number(r.http_status),
    error: r.error,
    durationMs: Number(r.duration_ms),
    kind: kindOf(r.dedupe_key),
    events: eventTypesOf(r.body),
    nextAttemptAt: latestPending ? r.next_attempt_at : null,
  }
}

const kinds: Record<string, AlertMessage['kind']> = { scan: 'scan', rescore: 'rescore', sweep: 'sweep', run: 'schedule', test: 'test' }

/** Dedupe keys start with what made the message (alert-service.ts): `scan|…`, `rescore|…`, `sweep|…`, `run|…`, `test|…`. */
export function kindOf(dedupeKey: string): AlertMessage['kind'] | null {
  return kinds[dedupeKey.split('|', 1)[0] ?? ''] ?? null
}

const known = new Set<string>(alertEventTypes)

/** The event types a body carries, each once, in order: the JSON message's events, or the `*type*` lines of a Slack body (alert-payload.ts). */
export function eventTypesOf(body: string): AlertEventType[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return [] // not a body this collector wrote; nothing to say about it
  }
  const found: string[] = []
  if (isObject(parsed) && Array.isArray(parsed.events)) {
    for (const e of parsed.events) if (isObject(e) && typeof e.type === 'string') found.push(e.type)
  } else if (isObject(parsed) && Array.isArray(parsed.blocks)) {
    for (const b of parsed.blocks) {
      const text = isObject(b) && isObject(b.text) && typeof b.text.text === 'string' ? b.text.text : ''
      const type = /^\*([a-z.-]+)\*/.exec(text)?.[1]
      if (type) found.push(type)
    }
  }
  return [...new Set(found)].filter((t): t is AlertEventType => known.has(t))
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}
