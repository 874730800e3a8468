import { z } from 'zod'

/**
 * The collector config's `alerts` section (collector-config.ts). Defaults: a drop of 10
 * points is news; SLAs warn 2 days ahead; certificates 30 days ahead (the tls.cert.expiring
 * rule's threshold, testssl.sh's and Let's Encrypt's renewal point); waivers 7 days ahead.
 */
export const alertsConfigSchema = z
  .object({
    scoreDropPoints: z.number().min(0.1).max(100).default(10),
    /** How often time-based conditions (silent nodes, SLAs, certificates, waivers) are checked. */
    sweepMs: z.number().int().min(100).max(86_400_000).default(60_000),
    slaApproachingMs: z.number().int().min(0).default(2 * 86_400_000),
    certificateWindowDays: z.number().min(0).max(365).default(30),
    waiverWindowDays: z.number().min(0).max(365).default(7),
    delivery: z
      .object({
        /** Requests in flight at once, across destinations. */
        concurrency: z.number().int().min(1).max(64).default(4),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        maxAttempts: z.number().int().min(1).max(50).default(8),
        /** First retry after about this long; doubling, with jitter, up to backoffMaxMs. */
        backoffBaseMs: z.number().int().min(1).default(10_000),
        backoffMaxMs: z.number().int().min(1).default(3_600_000),
        /** Retries that came due, and test messages queued by the CLI, are picked up this often. */
        pollMs: z.number().int().min(10).max(600_000).default(5_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
export type AlertsConfig = z.infer<typeof alertsConfigSchema>
