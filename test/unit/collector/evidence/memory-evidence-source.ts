import { chainEntry, verifyAuditChain, type AuditEntry, type AuditEvent } from '../../../../collector/audit/audit-chain.js'
import type { EvidenceSource, ScanWithFindings } from '../../../../collector/evidence/evidence-source.js'
import type { EvidenceScan, ExportWindow, ManualEvidence, RuleInfo } from '../../../../collector/evidence/evidence-model.js'
import type { Waiver } from '../../../../rules/waivers.js'

/** An EvidenceSource over plain values, for exporter tests without a collector. */
export class MemoryEvidenceSource implements EvidenceSource {
  scans: ScanWithFindings[] = []
  waiverList: Waiver[] = []
  manual: (ManualEvidence & { content: Buffer })[] = []
  audit: AuditEntry[] = []
  prior = new Map<string, string>()

  appendAudit(event: Partial<AuditEvent>, at: Date): AuditEntry {
    const entry = chainEntry(this.audit.at(-1) ?? null, { actor: 'user:alice', action: 'login', target: null, outcome: 'success', ip: '127.0.0.1', details: {}, ...event }, at)
    this.audit.push(entry)
    return entry
  }

  #inWindow(scan: EvidenceScan, window: ExportWindow, labels: Record<string, string>): boolean {
    const t = Date.parse(scan.finishedAt)
    return t >= window.from.getTime() && t < window.to.getTime() && Object.entries(labels).every(([k, v]) => scan.labels[k] === v)
  }

  async *scanBatches(window: ExportWindow, labels: Record<string, string>): AsyncIterable<ScanWithFindings[]> {
    const selected = this.scans.filter((s) => this.#inWindow(s.scan, window, labels)).sort((a, b) => a.scan.nodeId.localeCompare(b.scan.nodeId) || a.scan.finishedAt.localeCompare(b.scan.finishedAt))
    for (let i = 0; i < selected.length; i += 2) yield selected.slice(i, i + 2)
  }

  async *scanList(window: ExportWindow, labels: Record<string, string>): AsyncIterable<EvidenceScan[]> {
    for await (const batch of this.scanBatches(window, labels)) yield batch.map((b) => b.scan)
  }

  async waivers(): Promise<Waiver[]> {
    return this.waiverList
  }

  async manualEvidence(framework: string): Promise<ManualEvidence[]> {
    return this.manual.filter((m) => m.framework === framework).map(({ content: _content, ...m }) => m)
  }

  async *manualEvidenceContent(item: ManualEvidence): AsyncIterable<Buffer> {
    yield this.manual.find((m) => m.id === item.id)!.content
  }

  async *auditEntries(window: ExportWindow): AsyncIterable<AuditEntry> {
    for (const e of this.audit) if (Date.parse(e.at) >= window.from.getTime() && Date.parse(e.at) < window.to.getTime()) yield e
  }

  async verifyAuditChain() {
    return verifyAuditChain(this.audit)
  }

  async priorFailingSince(nodeId: string, rule: string, target: string): Promise<string | null> {
    return this.prior.get(`${nodeId}|${rule}|${target}`) ?? null
  }
}

export const testRules: RuleInfo[] = [
  { id: 'ssh.root-login', title: 'Root cannot log in over SSH', domain: 'access', severity: 'high', remediation: 'PermitRootLogin no', controls: { soc2: ['CC6.1'], iso27001: ['A.8.2'] }, check: 'facts.access.x', forEach: null, reads: ['access.sshd'] },
  { id: 'tls.protocol.legacy-disabled', title: 'Legacy TLS is disabled', domain: 'tls', severity: 'high', remediation: 'ssl_protocols TLSv1.2 TLSv1.3;', controls: { soc2: ['CC6.7'] }, check: 'true', forEach: 'facts.tls.endpoints', reads: ['tls.endpoints'] },
  { id: 'system.time-synced', title: 'The clock is synchronised', domain: 'system', severity: 'medium', remediation: 'timedatectl set-ntp true', controls: { soc2: ['CC7.2'] }, check: 'facts.system.timeSync.synchronized', forEach: null, reads: ['system.timeSync'] },
]
