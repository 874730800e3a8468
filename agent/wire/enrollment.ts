import { z } from 'zod'

/**
 * `POST /api/agents/enroll`: an agent trades a one-time enrollment token for its own
 * credential. Over the pinned TLS connection; the token is spent on success.
 */
export { enrollPath, agentStreamPath } from './agent-paths.js'

export const enrollRequestSchema = z
  .object({ token: z.string().min(16).max(256), hostname: z.string().max(256), agentVersion: z.string().max(64) })
  .strict()
export type EnrollRequest = z.infer<typeof enrollRequestSchema>

export const enrollResponseSchema = z
  .object({ agentId: z.string(), credential: z.string(), labels: z.record(z.string(), z.string()) })
  .strict()
export type EnrollResponse = z.infer<typeof enrollResponseSchema>
