import type { Domain } from '../../rules/domains.js'
import type { ScheduleMode } from './schedule-spec.js'
import type { Candidate } from './select-targets.js'

/**
 * How a schedule's scans are carried out, one implementation per mode (a table keyed by
 * mode, never a branch on it): through agents (agent-executor.ts) or over SSH
 * (collector/ssh/ssh-executor.ts).
 */
export type ScanOutcome = { ok: true; nodeId: string; scanId: string } | { ok: false; reason: string }

export interface ScanRequest {
  domains: readonly Domain[]
  scheduleName: string
  runId: number
  /** Aborted when the collector stops. */
  signal: AbortSignal
}

export interface ScanExecutor {
  /** What this mode can scan now, for target selection. */
  candidates(): Promise<Candidate[]>
  /** One scan of one target, stored like any report; never throws (a failure is a reason). */
  scan(target: Candidate, request: ScanRequest): Promise<ScanOutcome>
  /** What a `nodes` entry that matches nothing is called in a failure. */
  unknownTarget: string
}

export type ScanExecutors = Readonly<Record<ScheduleMode, ScanExecutor>>
