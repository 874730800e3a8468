import { z } from 'zod'
import { severitySchema } from './severity.js'
import { domainSchema } from './domains.js'

/**
 * A finding's status (DESIGN.md, "Host, evidence, snapshots"): a missing fact is never a
 * pass, it is `error` with the reason; `na` means the check does not apply here.
 */
export const statuses = ['pass', 'fail', 'error', 'na', 'waived'] as const
export const statusSchema = z.enum(statuses)
export type Status = z.infer<typeof statusSchema>

/** Framework id → control ids, e.g. `{ soc2: ['CC6.7'], 'pci-dss-4': ['4.2.1'] }`. */
export const controlsSchema = z.record(z.string(), z.array(z.string()))
export type Controls = z.infer<typeof controlsSchema>

export const waiverRefSchema = z.object({
  id: z.string(),
  justification: z.string(),
  approver: z.string(),
  expires: z.string(),
  /** The status the finding had before the waiver applied. */
  waivedStatus: z.enum(['pass', 'fail', 'error']),
})

export const findingSchema = z.object({
  rule: z.string(),
  domain: domainSchema,
  severity: severitySchema,
  status: statusSchema,
  target: z.string(),
  title: z.string(),
  message: z.string(),
  evidence: z.unknown(),
  remediation: z.string(),
  controls: controlsSchema,
  waiver: waiverRefSchema.optional(),
})
export type Finding = z.infer<typeof findingSchema>
