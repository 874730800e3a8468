import { z } from 'zod'
import { factErrorsSchema, factsSchema } from './facts/facts.js'
import { findingSchema } from './finding.js'
import { nodeScoreSchema } from './scoring.js'

/**
 * `posture.report/v1`: what `posture scan --json` prints and what an agent sends to the
 * collector (DESIGN.md, "The posture command" and "Wire protocol").
 */
export const reportSchemaId = 'posture.report/v1'

export const nodeIdentitySchema = z.object({
  /** Stable id: a digest of /etc/machine-id, or of the hostname when there is none. */
  id: z.string(),
  hostname: z.string(),
  os: z.string().nullable(),
  kernel: z.string().nullable(),
  arch: z.string().nullable(),
})
export type NodeIdentity = z.infer<typeof nodeIdentitySchema>

export const reportSchema = z.object({
  schema: z.literal(reportSchemaId),
  scanId: z.string(),
  node: nodeIdentitySchema,
  source: z.string(),
  postureVersion: z.string(),
  rulesVersion: z.string(),
  domains: z.array(z.string()),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  score: nodeScoreSchema,
  findings: z.array(findingSchema),
  facts: factsSchema,
  factErrors: factErrorsSchema,
})
export type Report = z.infer<typeof reportSchema>
