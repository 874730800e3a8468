import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { PostureError } from '../rules/posture-error.js'
import { fingerprintSchema } from './wire/join-string.js'
import { agentStateFile, writeAgentStateFile } from './agent-state-file.js'

/**
 * What an enrolled agent keeps in its state directory: where the collector is, the pinned
 * certificate fingerprint, and its own credential (mode 0600, readable by the agent's
 * user only). Written once at join; `posture agent` needs nothing else afterwards.
 */
export const agentStateSchema = z
  .object({
    v: z.literal(1),
    collectorUrl: z.url({ protocol: /^https?$/ }),
    fingerprint: fingerprintSchema.nullable(),
    agentId: z.string(),
    credential: z.string(),
    labels: z.record(z.string(), z.string()),
    enrolledAt: z.iso.datetime(),
  })
  .strict()
export type AgentState = z.infer<typeof agentStateSchema>

const stateFile = agentStateFile

/** `/var/lib/posture-agent` for root (the systemd unit), `./posture-agent` otherwise. */
export function defaultStateDir(cwd: string, isRoot: boolean): string {
  return isRoot ? '/var/lib/posture-agent' : resolve(cwd, 'posture-agent')
}

export function saveAgentState(dir: string, state: AgentState): void {
  writeAgentStateFile(dir, agentStateSchema.parse(state))
}

export function loadAgentState(dir: string): AgentState | null {
  const path = join(dir, stateFile)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new PostureError('UNREADABLE', `${path}: cannot read the agent state (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new PostureError('BAD_CONFIG', `${path}: damaged agent state (not JSON); join again with --join`)
  }
  const parsed = agentStateSchema.safeParse(json)
  if (!parsed.success) throw new PostureError('BAD_CONFIG', `${path}: damaged agent state (${parsed.error.issues[0]?.message ?? 'invalid'}); join again with --join`)
  return parsed.data
}
