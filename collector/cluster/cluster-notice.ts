import { z } from 'zod'
import { collectorMessageSchema } from '../../agent/wire/messages.js'

/**
 * What collectors tell each other over PostgreSQL NOTIFY (one channel, JSON payloads under
 * PostgreSQL's 8,000-byte limit), parsed at the boundary like any other input:
 * - `event`: a collector event (live views, schedules waiting for a report);
 * - `presence`: presence rows changed, re-read them;
 * - `command`: send this message to this agent, if you hold its connection;
 * - `delivered`: the collector holding the agent sent command `id`;
 * - `rules`: this collector reloaded its rule files (SIGHUP) and they changed: reload
 *   yours and push the pack to your agents (the pack itself is too big for a notice).
 * Every notice names its origin; a collector ignores its own.
 */
export const clusterChannel = 'posture_cluster'

export const clusterEventNames = ['report', 'rescore', 'scan-requested', 'node-offline', 'node-online'] as const

const clusterEvent = z.object({ name: z.enum(clusterEventNames), nodeId: z.string(), scanId: z.string().optional() })
export type ClusterEvent = z.infer<typeof clusterEvent>
/** Events go out in batches (one NOTIFY per batch, not per report). */
const eventNotice = z.object({ o: z.string(), t: z.literal('event'), events: z.array(clusterEvent).min(1) })
const presenceNotice = z.object({ o: z.string(), t: z.literal('presence') })
const commandNotice = z.object({ o: z.string(), t: z.literal('command'), id: z.string(), agentId: z.string(), message: collectorMessageSchema })
const deliveredNotice = z.object({ o: z.string(), t: z.literal('delivered'), id: z.string() })
const rulesNotice = z.object({ o: z.string(), t: z.literal('rules'), version: z.string().max(200) })

export const clusterNoticeSchema = z.discriminatedUnion('t', [eventNotice, presenceNotice, commandNotice, deliveredNotice, rulesNotice])
export type ClusterNotice = z.infer<typeof clusterNoticeSchema>

/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
export const maxNoticeBytes = 7_999

export function encodeNotice(notice: ClusterNotice): string {
  const text = JSON.stringify(notice)
  if (Buffer.byteLength(text) > maxNoticeBytes) throw new RangeError(`cluster notice ${notice.t} is ${Buffer.byteLength(text)} bytes; NOTIFY payloads must stay under 8000`)
  return text
}

/** The notice, or null for a payload that is not one (logged by the caller). */
export function parseNotice(payload: string): ClusterNotice | null {
  let json: unknown
  try {
    json = JSON.parse(payload)
  } catch {
    return null
  }
  const parsed = clusterNoticeSchema.safeParse(json)
  return parsed.success ? parsed.data : null
}
