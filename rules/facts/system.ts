import { z } from 'zod'

/** Facts about the machine itself: identity, kernel, clock. Gathered by agent/gatherers/system. */
export const osFactsSchema = z.object({
  /** os-release `ID`, e.g. `debian`, `ubuntu`, `rhel`, `alpine`. */
  id: z.string(),
  /** os-release `ID_LIKE`, split on spaces. */
  idLike: z.array(z.string()),
  name: z.string(),
  prettyName: z.string(),
  versionId: z.string().nullable(),
  versionCodename: z.string().nullable(),
  /** os-release `SUPPORT_END` (YYYY-MM-DD) when the vendor ships it. */
  supportEnd: z.string().nullable(),
})
export type OsFacts = z.infer<typeof osFactsSchema>

export const timeSyncFactsSchema = z.object({
  /** Which tool answered: `timedatectl` (systemd) or `chronyc`. */
  source: z.enum(['timedatectl', 'chronyc']),
  /** The kernel clock is synchronised to a time source right now. */
  synchronized: z.boolean(),
  /** An NTP client is enabled to keep it so (null when the source cannot tell). */
  ntpEnabled: z.boolean().nullable(),
})
export type TimeSyncFacts = z.infer<typeof timeSyncFactsSchema>

export const systemFactsSchema = z.object({
  hostname: z.string().optional(),
  /** SHA-256 of /etc/machine-id (the raw id is kept private, see machine-id(5)). */
  machineIdDigest: z.string().optional(),
  os: osFactsSchema.optional(),
  kernel: z.object({ release: z.string(), arch: z.string() }).optional(),
  uptimeSeconds: z.number().optional(),
  /** `systemd-detect-virt` output: `none`, `kvm`, `docker`, `lxc`, … */
  virtualization: z.string().optional(),
  timeSync: timeSyncFactsSchema.optional(),
})
export type SystemFacts = z.infer<typeof systemFactsSchema>
