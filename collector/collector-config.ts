import { resolve } from 'node:path'
import { z } from 'zod'
import { readConfigFile } from '../agent/config-file.js'
import { PostureError } from '../rules/posture-error.js'
import { schedulesConfigSchema } from './schedule/schedule-config.js'
import { alertsConfigSchema } from './alerts/alert-config.js'
import { domainChecksConfigSchema } from './domains/domain-checks-config.js'
import { isolationProbesConfigSchema } from './isolation/isolation-config.js'
import { exportJobsConfigSchema } from './evidence/export-jobs-config.js'

/**
 * The collector's configuration: one strict schema (a misspelled key is an error), secure
 * defaults, units in names. Read from `--config FILE` (YAML), then overridden by flags,
 * validated once and frozen; the parts are handed down, never imported as a singleton.
 */
export const collectorConfigSchema = z
  .object({
    /** Data directory: database, TLS identity, backups, lock file. */
    dataDir: z.string().min(1).default('./posture-data'),
    /**
     * PostgreSQL instead of the SQLite file in dataDir: a `postgres://user:password@host:port/db`
     * URL (libpq's URI form; `?sslmode=…` accepted). Several collectors may share one database,
     * each with its own dataDir (collector/store/open-store.ts).
     */
    database: z.string().regex(/^postgres(ql)?:\/\/\S+$/i, 'expected a postgres:// or postgresql:// URL').optional(),
    /** Loopback by default; listening on other addresses is an explicit choice. */
    listen: z.object({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8443) }).strict().prefault({}),
    /** The URL agents and browsers use, when it differs from the listen address (a proxy, a DNS name). */
    publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    tls: z
      .object({
        /** PEM files; both or neither. Neither: a self-signed certificate in `<dataDir>/tls/`. */
        certFile: z.string().optional(),
        keyFile: z.string().optional(),
        /** Extra DNS names / IPs for the self-signed certificate. */
        hostnames: z.array(z.string()).default([]),
        /** Plain HTTP, for local development only. */
        insecureHttp: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** User rule directories, pushed to agents and used for re-scoring. */
    rulesDirs: z.array(z.string()).default([]),
    agents: z
      .object({
        /** Largest WebSocket frame accepted (ws's default of 100 MiB is far too trusting). */
        maxPayloadBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
        /** Per-connection token bucket: sustained messages per second and burst. */
        messagesPerSecond: z.number().positive().default(5),
        messageBurst: z.number().int().positive().default(100),
        /**
         * Per-connection byte bucket, counted on the socket (every frame, fragment and ping):
         * sustained bytes per second and burst. The burst must hold the largest frame.
         */
        bytesPerSecond: z.number().int().min(1024).default(1024 * 1024),
        burstBytes: z.number().int().min(1024).default(32 * 1024 * 1024),
        heartbeatMs: z.number().int().min(100).default(30_000),
        /** A node is offline after this many missed scan intervals without a report. */
        missedIntervalsOffline: z.number().int().min(1).default(3),
        /** How long `collector token` join strings stay valid. */
        enrollmentTokenTtlMs: z.number().int().positive().default(24 * 3_600_000),
        /** How often revocations made by another process (`posture collector revoke`) are picked up. */
        revocationPollMs: z.number().int().min(50).default(2_000),
      })
      .strict()
      .refine((a) => a.burstBytes >= a.maxPayloadBytes, { message: 'burstBytes must be at least maxPayloadBytes (a largest frame must fit the byte burst)', path: ['burstBytes'] })
      .prefault({}),
    store: z
      .object({
        /** `full`: an acked report survives power loss; `normal`: survives a process crash. */
        synchronous: z.enum(['full', 'normal']).default('full'),
        /** Reports stored per transaction at most (one commit acks them all). */
        maxBatchReports: z.number().int().min(1).default(256),
        /** PostgreSQL only: connections in this collector's pool, and the server-side limit per statement. */
        maxConnections: z.number().int().min(2).max(500).default(10),
        statementTimeoutMs: z.number().int().min(100).default(30_000),
      })
      .strict()
      .prefault({}),
    backup: z
      .object({
        /** 0 disables scheduled backups. */
        intervalMs: z.number().int().min(0).default(24 * 3_600_000),
        /** Backups kept in `<dataDir>/backups/`; the oldest beyond this are deleted. */
        keep: z.number().int().min(1).default(7),
      })
      .strict()
      .prefault({}),
    retention: z
      .object({
        /**
         * Full scans (facts, findings with evidence) are kept this many days; 0 keeps them forever.
         * 400 days hold a 12-month audit period with room (PCI DSS 4.0 req. 10.5.1 asks for 12 months of
         * audit history; SOC 2 type II periods are usually 12 months). Each node's current scan is always kept.
         */
        findingsDays: z.number().int().min(0).default(400),
        /** The daily score trend (fleet and per node) is kept this many days; 0 keeps it forever. */
        dailyScoresDays: z.number().int().min(0).default(5 * 366),
        /** How often pruning runs (the first run is a minute after start); 0 disables it. */
        intervalMs: z.number().int().min(0).default(6 * 3_600_000),
        /** Scans deleted per transaction, so that ingest interleaves with a large prune. */
        batchScans: z.number().int().min(1).default(500),
      })
      .strict()
      .refine((r) => r.dailyScoresDays === 0 || (r.findingsDays !== 0 && r.dailyScoresDays >= r.findingsDays), {
        message: 'dailyScoresDays must be 0 (forever) or at least findingsDays: the trend outlives the scans it summarises',
        path: ['dailyScoresDays'],
      })
      .prefault({}),
    log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).strict().prefault({}),
    /** Scheduled scans and agentless SSH scanning (collector/schedule/schedule-config.ts). */
    schedules: schedulesConfigSchema.prefault({}),
    /** Webhook alerts (collector/alerts/alert-config.ts). */
    alerts: alertsConfigSchema.prefault({}),
    /** Domains checked from the collector: email authentication, CAA, security.txt (collector/domains/). */
    domainChecks: domainChecksConfigSchema.prefault({}),
    /** Collector-driven network isolation probes between node groups (collector/isolation/). */
    isolationProbes: isolationProbesConfigSchema.prefault({}),
    /** Evidence export jobs: how many run and wait at once, how long archives are kept (collector/evidence/export-jobs-config.ts). */
    exports: exportJobsConfigSchema.prefault({}),
  })
  .strict()

export type CollectorConfig = z.infer<typeof collectorConfigSchema>
export type CollectorConfigInput = z.input<typeof collectorConfigSchema>

/** Deep-merges flag overrides over the file's values, validates, resolves paths, freezes. */
export function resolveCollectorConfig(fromFile: unknown, overrides: CollectorConfigInput, cwd: string): Readonly<CollectorConfig> {
  const merged = merge(fromFile ?? {}, overrides)
  const parsed = collectorConfigSchema.safeParse(merged)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new PostureError('BAD_CONFIG', `collector config: ${issue.path.map(String).join('.') || '(top level)'}: ${issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : issue.message}`)
  }
  const config = parsed.data
  config.dataDir = resolve(cwd, config.dataDir)
  config.rulesDirs = config.rulesDirs.map((d) => resolve(cwd, d))
  return deepFreeze(config)
}

export function readCollectorConfigFile(path: string): unknown {
  // Validated after flags are merged over it; the file's own errors (YAML, unknown keys) surface here first.
  return readConfigFile(path, collectorConfigSchema, 'collector config') as unknown
}

function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(over)) if (value !== undefined) out[key] = merge(base[key], value)
  return out
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
