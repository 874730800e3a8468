import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AgentState } from './agent-state.js'

/** The agent state's file name in its state directory. */
export const agentStateFile = 'agent.json'

/**
 * Writes an already-validated agent state (mode 0600, by rename). zod-free on purpose: the
 * long-lived agent process rewrites its state when the collector changes its labels, and
 * must not load zod for that (idle RSS, DESIGN.md "Performance targets"); saveAgentState
 * in agent-state.ts validates and then calls this.
 */
export function writeAgentStateFile(dir: string, state: AgentState): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const path = join(dir, agentStateFile)
  const tmp = `${path}.tmp`
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
}
