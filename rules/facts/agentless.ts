import { z } from 'zod'

/**
 * What an agentless scan saw of its own SSH connection. Not gathered from the node: the
 * scanner (collector/ssh/scan-over-ssh.ts) adds it after connecting, so it is absent from
 * agent reports (the rule reading it is then `na`) and from snapshots.
 */
export const agentlessHostKeySchema = z.object({
  /** `trusted`: matches the pin; `new`: nothing was pinned, pinned now; `changed`: scan refused. */
  status: z.enum(['trusted', 'new', 'changed']),
  /** The key the server presented (null when it no longer offers the pinned key type at all). */
  keyType: z.string().nullable(),
  fingerprint: z.string().nullable(),
  /** The pin it was checked against (null on first use). */
  pinnedKeyType: z.string().nullable(),
  pinnedFingerprint: z.string().nullable(),
  pinnedSince: z.string().nullable(),
})
export type AgentlessHostKey = z.infer<typeof agentlessHostKeySchema>

export const agentlessFactsSchema = z.object({
  transport: z.literal('ssh').optional(),
  /** `user@host[:port]` as the scan was told. */
  target: z.string().optional(),
  /** Commands and file reads ran through `sudo -n`. */
  sudo: z.boolean().optional(),
  hostKey: agentlessHostKeySchema.optional(),
})
export type AgentlessFacts = z.infer<typeof agentlessFactsSchema>
