import { z } from 'zod'

/**
 * The collector config's `exports` section (collector-config.ts): how many evidence
 * exports run and wait at once, and how long finished archives stay downloadable
 * (export-jobs.ts). Defaults: one export at a time (each reads the whole window and
 * deflates it, on a collector that also ingests), 8 waiting, archives kept a day and at
 * most 20 of them on disk.
 */
export const exportJobsConfigSchema = z
  .object({
    /** Exports that run at the same time. */
    maxRunning: z.number().int().min(1).max(16).default(1),
    /** Exports waiting for a slot (a new one waits here first, even when a slot is free); past that, new requests get 429. */
    maxQueued: z.number().int().min(1).max(1000).default(8),
    /** How long a finished archive stays downloadable (at least a minute, at most 30 days). */
    keepMs: z.number().int().min(60_000).max(30 * 86_400_000).default(24 * 3_600_000),
    /** Finished archives kept on disk at most (the oldest go first). */
    keepArchives: z.number().int().min(1).max(1000).default(20),
  })
  .strict()
export type ExportJobsConfig = z.infer<typeof exportJobsConfigSchema>
