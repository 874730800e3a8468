import { z } from 'zod'
import { domainSchema } from '../../rules/domains.js'
import { statusSchema } from '../../rules/finding.js'
import { severitySchema } from '../../rules/severity.js'

/** Query strings of the JSON API, parsed strictly (an unknown filter is an error, not ignored). */
export const findingQuerySchema = z
  .object({
    status: statusSchema.optional(),
    severity: severitySchema.optional(),
    domain: domainSchema.optional(),
    rule: z.string().max(200).optional(),
    node: z.string().max(200).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(500),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict()

export const historyQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict()

export const scanBodySchema = z.object({ only: z.array(domainSchema).min(1).optional() }).strict().nullish()

export const nodeParamsSchema = z.object({ id: z.string().min(1).max(200) }).strict()
