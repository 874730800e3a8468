import type { AgentState } from './agent-state.js'
import type { ScanJob, ScanOutcome } from './scan-runner.js'

/**
 * The one request a scan child (agent/scan-child.ts) gets over its IPC channel, and its one
 * reply. Both ends are Posture's own processes (parent forks child, same install), so the
 * channel is trusted like a function call; the collector's input was checked before it
 * got here. Types only.
 */
export type ScanChildRequest =
  | {
      kind: 'setup'
      /** `--state` as given (resolved against cwd), or null for the default. */
      stateDir: string | null
      cwd: string
      isRoot: boolean
      join: string | null
      configPath: string | null
      hostname: string
    }
  | { kind: 'rules-version'; stateDir: string }
  | { kind: 'scan'; stateDir: string; configPath: string | null; job: ScanJob }
  | { kind: 'apply-rules'; stateDir: string; files: Record<string, string> }

export interface AgentSetup {
  stateDir: string
  state: AgentState
  rulesVersion: string
  /** Set when this run enrolled with --join. */
  joined: { url: string; agentId: string } | null
}

export type ScanChildResult = { 'setup': AgentSetup; 'rules-version': string; scan: ScanOutcome; 'apply-rules': string }

export type ScanChildReply =
  | { ok: true; result: unknown; maxRssBytes: number; cpuMs: number }
  | { ok: false; code: string | null; message: string }
