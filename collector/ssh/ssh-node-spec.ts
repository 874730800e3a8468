import { isAbsolute } from 'node:path'
import { z } from 'zod'
import type { SshTarget } from '../../agent/host/ssh-host.js'
import { parseSshTarget } from '../../agent/host/ssh-target.js'
import { PostureError } from '../../rules/posture-error.js'

/**
 * A node scanned over SSH by the collector (it cannot run an agent). The private key is
 * never stored: `key` names an absolute path on the collector's host, read at each scan
 * (so rotating it needs no database change), or `agent` for the collector's ssh-agent
 * (SSH_AUTH_SOCK).
 */
export const sshNodeNamePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/

export const sshNodeSpecSchema = z
  .object({
    name: z.string().regex(sshNodeNamePattern, 'names are 1-64 lower-case letters, digits, dot, dash or underscore'),
    /** `USER@HOST[:PORT]`. */
    address: z.string().min(3).max(300),
    key: z.string().refine((k) => k === 'agent' || isAbsolute(k), 'key is "agent" or an absolute path to a private key file on the collector host'),
    sudo: z.boolean().default(false),
    labels: z.record(z.string().regex(/^[A-Za-z0-9_./-]{1,63}$/), z.string().max(255)).default({}),
  })
  .strict()
export type SshNodeSpecInput = z.input<typeof sshNodeSpecSchema>

export interface SshNodeSpec {
  name: string
  target: SshTarget
  key: string
  sudo: boolean
  labels: Record<string, string>
}

/** A registered SSH node with what its scans have learned. */
export interface SshNode extends SshNodeSpec {
  createdAt: string
  /** The node id its reports carry (known after the first successful scan). */
  nodeId: string | null
  lastScanAt: string | null
  lastError: string | null
}

/** A validated spec, or PostureError BAD_INPUT naming the first problem. */
export function parseSshNodeSpec(input: unknown): SshNodeSpec {
  const parsed = sshNodeSpecSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const what = issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : issue.message
    throw new PostureError('BAD_INPUT', `ssh node: ${issue.path.map(String).join('.') || '(top level)'}: ${what}`)
  }
  const { address, ...rest } = parsed.data
  let target: SshTarget
  try {
    target = parseSshTarget(address)
  } catch (err) {
    throw new PostureError('BAD_INPUT', `ssh node: address: ${(err as Error).message}`)
  }
  return { ...rest, target }
}
