import { z } from 'zod'
import { domains, domainSchema } from '../../rules/domains.js'
import { PostureError } from '../../rules/posture-error.js'
import { compileTiming, maxJitterMs } from './next-runs.js'

/**
 * A scheduled audit scan as users write it (API body, `posture collector schedule add`):
 * when (cron in a time zone, with jitter), what (all nodes, a label selector, a list), how
 * (through agents or over SSH) and which domains. One strict schema: an unknown key is an
 * error; the cron expression and time zone are checked by the schedule arithmetic itself.
 */
export const scheduleNamePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/

const labelsSchema = z.record(z.string().regex(/^[A-Za-z0-9_./-]{1,63}$/), z.string().max(255))

export const scheduleTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  /** Every label given must match (an AND of `key=value`). */
  z.object({ kind: z.literal('labels'), labels: labelsSchema.refine((l) => Object.keys(l).length > 0, 'give at least one label') }).strict(),
  /** Node ids or host names (agent mode), SSH node names (ssh mode). */
  z.object({ kind: z.literal('nodes'), nodes: z.array(z.string().min(1).max(255)).min(1).max(10_000) }).strict(),
])
export type ScheduleTarget = z.infer<typeof scheduleTargetSchema>

export const scheduleModes = ['agent', 'ssh'] as const
export type ScheduleMode = (typeof scheduleModes)[number]

export const scheduleSpecSchema = z
  .object({
    name: z.string().regex(scheduleNamePattern, 'names are 1-64 lower-case letters, digits, dot, dash or underscore'),
    cron: z.string().min(1).max(200),
    timeZone: z.string().min(1).max(64).default('UTC'),
    jitterMs: z.number().int().min(0).max(maxJitterMs).default(0),
    target: scheduleTargetSchema.default({ kind: 'all' }),
    mode: z.enum(scheduleModes),
    domains: z.array(domainSchema).min(1).default([...domains]),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((spec, context) => {
    try {
      compileTiming(spec)
    } catch (err) {
      context.addIssue({ code: 'custom', path: ['cron'], message: (err as Error).message })
    }
  })
export type ScheduleSpec = z.infer<typeof scheduleSpecSchema>
export type ScheduleSpecInput = z.input<typeof scheduleSpecSchema>

/** A validated spec, or PostureError BAD_INPUT naming the first problem and where. */
export function parseScheduleSpec(input: unknown): ScheduleSpec {
  const parsed = scheduleSpecSchema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const where = issue.path.map(String).join('.') || '(top level)'
  const what = issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : issue.message
  throw new PostureError('BAD_INPUT', `schedule: ${where}: ${what}`)
}

/** A stored schedule: the spec plus what the scheduler keeps. */
export interface Schedule extends ScheduleSpec {
  id: number
  createdAt: string
  /** Slots before this are never owed (creation, or re-enabling). */
  since: string
  /** The slot the last run was for. */
  lastSlot: string | null
}

export type RunTrigger = 'slot' | 'catch-up' | 'manual'
export type RunStatus = 'running' | 'ok' | 'partial' | 'failed' | 'interrupted'

/** One run of a schedule, as its history shows it. */
export interface ScheduleRun {
  id: number
  scheduleId: number
  trigger: RunTrigger
  /** The slot it ran for (null for a manual run). */
  slot: string | null
  /** Slots skipped before this one (the collector was down): catch-up runs once. */
  missedSlots: number
  startedAt: string
  finishedAt: string | null
  status: RunStatus
  targeted: number
  scanned: number
  scans: { target: string; nodeId: string; scanId: string }[]
  failures: { target: string; reason: string }[]
}
