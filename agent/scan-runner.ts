import type { Domain } from '../rules/domain-names.js'
import type { CollectorView } from './collector-view.js'

/**
 * How the agent runtime gets a scan done, without knowing where it runs: in its own process
 * (InProcessScanRunner: tests and `posture start`) or in a short-lived child process
 * (ForkedScanRunner: `posture agent`, so that the long-lived process never loads the rule
 * engine, the gatherers or zod). Types only: importing this costs nothing.
 */
export interface ScanJob {
  scanId: string
  domains: readonly Domain[]
  /** What the collector said about the node (labels, isolation probe plan). */
  view: CollectorView
}

export interface ScanOutcome {
  /** The report as JSON text, without its `schema` field (what a `report` message carries beside v, type, seq, spoolDropped). */
  fieldsJson: string
  score: number | null
  grade: string | null
  /** Peak resident set of the process that scanned, when it was a child (bytes). */
  peakRssBytes?: number
  /** CPU time of that child process itself, without the commands it ran (ms). */
  childCpuMs?: number
}

export interface ScanRunner {
  /** The version of the rules the next scan uses (built-in catalogue plus the state dir's rule pack). */
  rulesVersion(): Promise<string>
  scan(job: ScanJob): Promise<ScanOutcome>
  /** Checks a pushed rule pack (its files by name), installs it for the next scans, and returns the new rules version; rejects when it does not load. */
  applyRules(files: Readonly<Record<string, string>>): Promise<string>
  /** Ends any scan in progress (a child is killed and awaited). */
  stop(): Promise<void>
}
