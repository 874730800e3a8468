import { z } from 'zod'

/**
 * The collector config's `schedules` section (collector-config.ts): how schedules run.
 * Secure, conservative defaults: a handful of SSH hosts at once, bounded waits.
 */
export const schedulesConfigSchema = z
  .object({
    /** Schedules are re-read at least this often (the CLI edits them beside a running collector). */
    pollMs: z.number().int().min(100).max(3_600_000).default(30_000),
    /** How long an agent has to deliver a scheduled scan's report before the run counts it failed. */
    agentReportTimeoutMs: z.number().int().min(1000).default(15 * 60_000),
    /**
     * With several collectors on PostgreSQL: how often each looks for runs left `running` by
     * a collector that died (its cluster presence expired, about 10 s after its last heartbeat).
     */
    orphanSweepMs: z.number().int().min(100).max(3_600_000).default(30_000),
    ssh: z
      .object({
        /** SSH hosts scanned at once, across every schedule. */
        maxConcurrentHosts: z.number().int().min(1).max(256).default(8),
        /** TCP connect, handshake and authentication. */
        connectTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
        /** Commands in flight per host (OpenSSH allows 10 sessions per connection by default). */
        maxChannelsPerHost: z.number().int().min(1).max(64).default(8),
      })
      .strict()
      .prefault({}),
  })
  .strict()
export type SchedulesConfig = z.infer<typeof schedulesConfigSchema>
