import type { ChainVerdictSummary } from './audit-window.js'
import type { ControlResult, FleetSummary, ManualEvidence, WaiverRecord } from './evidence-model.js'

/** Everything report.html and report.pdf show: a summary of the archive's data files. */
export interface EvidenceReport {
  framework: { id: string; name: string; version: string; publisher: string; scope: 'complete' | 'curated'; source: string; licence: string }
  window: { from: string; to: string }
  labels: Record<string, string>
  exportedBy: string
  exportedAt: string
  collectorVersion: string
  rulesVersions: string[]
  signingKeyFingerprint: string
  summary: FleetSummary
  controls: ControlResult[]
  waivers: WaiverRecord[]
  manualEvidence: ManualEvidence[]
  audit: { entries: number; firstSeq: number | null; lastSeq: number | null; chainAtExport: ChainVerdictSummary }
  /** Set when the window starts before the history retention keeps: what is missing, in words. */
  retentionNote?: string | null
}

/** How many failures per control the HTML and PDF list; the CSV and JSON have all of them. */
export const failuresShownPerControl = 25

export function formatScore(score: number | null): string {
  return score === null ? '—' : score.toFixed(1)
}

export const verdictLabels: Record<ControlResult['verdict'], string> = {
  pass: 'Pass',
  fail: 'Fail',
  waived: 'Waived',
  error: 'Could not check',
  'no-data': 'No data',
  manual: 'Manual evidence',
}
