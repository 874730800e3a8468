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

/**
 * What one gatherer read on the node during the scan: the keys of the files, directories,
 * commands (argv joined by spaces) and network probes, as a snapshot names them, without
 * their content. The evidence export lists them per gatherer (methods.json).
 */
export const gathererReadsSchema = z.object({
  gatherer: z.string(),
  files: z.array(z.string()),
  dirs: z.array(z.string()),
  commands: z.array(z.string()),
  probes: z.array(z.string()),
})
export type GathererReads = z.infer<typeof gathererReadsSchema>

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
  /** What each gatherer read (absent in reports from agents before this field existed). */
  reads: z.array(gathererReadsSchema).optional(),
})
export type Report = z.infer<typeof reportSchema>
