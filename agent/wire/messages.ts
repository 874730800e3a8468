import { z } from 'zod'
import { domainSchema } from '../../rules/domains.js'
import { reportSchema } from '../../rules/report.js'

/**
 * Every message of the agent ↔ collector protocol (DESIGN.md, "Wire protocol";
 * agent/wire/PROTOCOL.md). One schema per message, validated at both ends: the agent
 * parses what the collector sends with `collectorMessageSchema`, the collector parses what
 * agents send with `agentMessageSchema`. Frames are JSON text, each `{ v: 1, type, ... }`.
 */
export const protocolVersion = 1
const v = z.literal(protocolVersion)

const shortText = z.string().max(256)
const scanIdSchema = z.string().min(1).max(128)

// ── agent → collector ─────────────────────────────────────────────────────────────

/** First frame after the upgrade: who is talking and how its spool is doing. */
export const helloMessageSchema = z
  .object({
    v,
    type: z.literal('hello'),
    agentVersion: shortText,
    hostname: shortText,
    rulesVersion: shortText,
    /** The agent's scan interval; the collector marks it silent after missed intervals. */
    intervalMs: z.number().int().positive(),
    spool: z.object({ pending: z.number().int().min(0), dropped: z.number().int().min(0) }).strict(),
  })
  .strict()

/**
 * One scan, as `posture.report/v1` without its `schema` field, plus the agent's sequence
 * number (spool order). Sent before deletion from the spool; the collector answers `ack`.
 */
export const reportMessageSchema = reportSchema
  .omit({ schema: true })
  .extend({
    v,
    type: z.literal('report'),
    scanId: scanIdSchema,
    seq: z.number().int().min(0),
    /** Reports the spool has dropped so far (oldest first) because it was full. */
    spoolDropped: z.number().int().min(0).default(0),
  })
  .strict()

/** The outcome of a `rules` push: applied, or refused with the reason. */
export const rulesStatusMessageSchema = z
  .object({ v, type: z.literal('rules-status'), version: shortText, ok: z.boolean(), error: z.string().max(4096).optional() })
  .strict()

/** A requested scan that could not run at all (a bug or a bad rule pack, never a finding). */
export const scanFailedMessageSchema = z
  .object({ v, type: z.literal('scan-failed'), scanId: scanIdSchema.optional(), error: z.string().max(4096) })
  .strict()

export const agentMessageSchema = z.discriminatedUnion('type', [
  helloMessageSchema,
  reportMessageSchema,
  rulesStatusMessageSchema,
  scanFailedMessageSchema,
])
export type AgentMessage = z.infer<typeof agentMessageSchema>

/**
 * What the collector parses agent frames with: every message strictly, except a report's
 * `facts`, which only has to be a JSON object here. Facts are validated when the collector
 * evaluates them (a report scored with other rules, re-scoring: collector/ingest/prepare-report.ts);
 * a report scored with the collector's own rules is stored as sent. Facts are most of a
 * report's validation time (~45% for a real node's 220 KB report) and are rarely evaluated.
 */
export const reportIngestSchema = reportMessageSchema.extend({
  facts: z.custom<z.infer<typeof reportMessageSchema>['facts']>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'facts must be an object'),
})
export const agentMessageIngestSchema = z.discriminatedUnion(
  'type',
  agentMessageSchema.options.map((option) => (option === reportMessageSchema ? reportIngestSchema : option)) as unknown as typeof agentMessageSchema.options,
)
export type HelloMessage = z.infer<typeof helloMessageSchema>
export type ReportMessage = z.infer<typeof reportMessageSchema>

// ── collector → agent ─────────────────────────────────────────────────────────────

/** Answer to `hello`: the agent's id as the collector knows it, and its heartbeat period. */
export const welcomeMessageSchema = z
  .object({
    v,
    type: z.literal('welcome'),
    agentId: shortText,
    collectorVersion: shortText,
    rulesVersion: shortText,
    heartbeatMs: z.number().int().positive(),
  })
  .strict()

/** The report with this scanId is stored (or was already: `duplicate`); drop it from the spool. */
export const ackMessageSchema = z
  .object({ v, type: z.literal('ack'), scanId: scanIdSchema, duplicate: z.boolean() })
  .strict()

/** Scan now (on demand or scheduled); `only` limits the domains. */
export const scanMessageSchema = z
  .object({ v, type: z.literal('scan'), scanId: scanIdSchema.optional(), only: z.array(domainSchema).min(1).optional() })
  .strict()

/** A rule pack: user rule files by name; `digest` is SHA-256 over the files (see rulesDigest). */
export const rulesMessageSchema = z
  .object({
    v,
    type: z.literal('rules'),
    version: shortText,
    digest: z.string().regex(/^[0-9a-f]{64}$/),
    files: z.record(z.string().regex(/^[A-Za-z0-9._-]+\.ya?ml$/), z.string()),
  })
  .strict()

/**
 * A node this agent should try to reach to prove network isolation (collector-driven
 * probes): an enrolled node of another network group, its addresses on private networks
 * (IP literals: never names) and its listening management ports, from its own facts.
 */
export const isolationPeerSchema = z
  .object({
    name: shortText,
    group: shortText,
    addresses: z.array(z.union([z.ipv4(), z.ipv6()])).min(1).max(16),
    ports: z.array(z.number().int().min(1).max(65535)).min(1).max(64),
  })
  .strict()

/**
 * The collector's view of this node: its enrollment labels (what the network policy's
 * `labels` match) and its isolation probe plan (`group` null: the node has no group label,
 * the collector plans nothing). Sent after `welcome` and again whenever it changes; an
 * agent that predates it logs the unknown type and carries on (PROTOCOL.md).
 */
export const nodeConfigMessageSchema = z
  .object({
    v,
    type: z.literal('node-config'),
    labels: z.record(shortText, shortText),
    isolation: z
      .object({
        /** The label the group was read from (`network-group`, or the role label as fallback). */
        groupLabel: shortText,
        group: shortText.nullable(),
        peers: z.array(isolationPeerSchema).max(1024),
      })
      .strict(),
  })
  .strict()

/** Sent just before the collector closes the connection with the matching close code. */
export const errorMessageSchema = z
  .object({ v, type: z.literal('error'), code: shortText, message: z.string().max(4096) })
  .strict()

export const collectorMessageSchema = z.discriminatedUnion('type', [
  welcomeMessageSchema,
  ackMessageSchema,
  scanMessageSchema,
  rulesMessageSchema,
  errorMessageSchema,
  nodeConfigMessageSchema,
])
export type CollectorMessage = z.infer<typeof collectorMessageSchema>
export type RulesMessage = z.infer<typeof rulesMessageSchema>
export type NodeConfigMessage = z.infer<typeof nodeConfigMessageSchema>
export type IsolationPeerMessage = z.infer<typeof isolationPeerSchema>
