import { verifyAuditChainAsync, type AuditEntry, type ChainVerdict } from '../audit/audit-chain.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { ExportWindow, ManualEvidence } from './evidence-model.js'
import type { ManualEvidenceStore } from './manual-evidence-store.js'

/**
 * What both store-backed evidence sources (sqlite-evidence-source.ts, pg-evidence-source.ts)
 * serve the same way: manual evidence from the backend's ManualEvidenceStore and the audit
 * excerpt and chain from its AuditLog. Subclasses add the scan reads, which differ by dialect.
 */
export abstract class StoreEvidenceSource {
  readonly #manual: ManualEvidenceStore
  readonly #audit: AuditLog

  constructor(manual: ManualEvidenceStore, audit: AuditLog) {
    this.#manual = manual
    this.#audit = audit
  }

  async manualEvidence(framework: string): Promise<ManualEvidence[]> {
    return this.#manual.list(framework)
  }

  manualEvidenceContent(item: ManualEvidence): AsyncIterable<Buffer> {
    return this.#manual.content(item)
  }

  auditEntries(window: ExportWindow): AsyncIterable<AuditEntry> {
    return this.#audit.entriesBetween(window.from, window.to)
  }

  verifyAuditChain(): Promise<ChainVerdict> {
    return verifyAuditChainAsync(this.#audit.entries())
  }
}
