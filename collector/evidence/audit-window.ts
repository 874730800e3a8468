import type { ChainVerdict } from '../audit/audit-chain.js'

/** The whole chain's verdict at export time, as the manifest and report state it. */
export type ChainVerdictSummary = { ok: true; rows: number } | { ok: false; seq: number; reason: string }

export function summarizeChainVerdict(verdict: ChainVerdict): ChainVerdictSummary {
  return verdict.ok ? { ok: true, rows: verdict.count } : { ok: false, seq: verdict.seq, reason: verdict.reason }
}
