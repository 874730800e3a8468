import { sign } from 'node:crypto'
import { renameSync, rmSync } from 'node:fs'
import type { FrameworkCatalogue } from '../../rules/frameworks/framework-catalogue.js'
import { controlCoverage } from '../../rules/frameworks/framework-catalogue.js'
import type { ScoringPolicy } from '../../rules/scoring.js'
import { summarizeChainVerdict } from './audit-window.js'
import { ControlResultsBuilder, expiredWaiverOf } from './control-results.js'
import { csvRow } from './evidence-csv.js'
import { evidenceFiles } from './evidence-files.js'
import { evidenceSchemaId, manifestBytes, manifestName, signatureName, type EvidenceManifest } from './evidence-manifest.js'
import type { ControlResult, ExportWindow, ManualEvidence, RuleInfo, WaiverRecord } from './evidence-model.js'
import type { EvidenceReport } from './evidence-report.js'
import type { EvidenceSource } from './evidence-source.js'
import { mergeGathererReads, type GathererMethod } from './gatherer-methods.js'
import { EvidenceZipWriter } from './evidence-zip-writer.js'
import { renderReportHtml } from './report-html.js'
import { renderReportPdf } from './report-pdf.js'
import type { SigningKey } from './signing-key.js'
import type { RetentionHorizon } from '../store/sqlite-retention.js'

/**
 * Writes a signed evidence archive for one framework and window (DESIGN.md, "Evidence
 * export"). Streams: findings are read in batches and written as they come, folded into
 * per-control results on the way; only those results (nodes × rules) stay in memory. The
 * archive is written beside `out` and renamed into place once signed, so a failed export
 * never leaves a half archive under the requested name.
 */
export interface ExportRequest {
  framework: FrameworkCatalogue
  window: ExportWindow
  labels: Record<string, string>
  exportedBy: string
  out: string
}

export interface ExportContext {
  source: EvidenceSource
  rules: readonly RuleInfo[]
  /** The collector's rules version now. */
  rulesVersion: string
  collectorVersion: string
  policy: ScoringPolicy
  signingKey: SigningKey
  /** The export's time (exportedAt). */
  now: Date
  /** What each gatherer reads (gatherer-methods.ts), for methods.json. */
  gathererMethods?: readonly GathererMethod[]
  /** Told after each node's scans and after each file (background export jobs show it). */
  onProgress?: (progress: ExportProgress) => void
  /** Stops the export between two batches (the collector closing); the archive is not written. */
  signal?: AbortSignal
}

/** How far an export is: scans written into findings.jsonl, files finished in the archive. */
export interface ExportProgress {
  phase: 'findings' | 'files'
  scansWritten: number
  /** Scans in the window, when the source can count them up front. */
  scansTotal: number | null
  filesWritten: number
}

const chunkBytes = 64 * 1024

export async function exportEvidence(request: ExportRequest, context: ExportContext): Promise<EvidenceManifest> {
  if (!(request.window.from.getTime() < request.window.to.getTime())) throw new RangeError('the window must end after it starts')
  const partial = `${request.out}.partial`
  const zip = new EvidenceZipWriter(partial, context.now)
  try {
    const manifest = await writeArchive(zip, request, context)
    await zip.close()
    renameSync(partial, request.out)
    return manifest
  } catch (err) {
    zip.abort()
    rmSync(partial, { force: true })
    throw err
  }
}

/** The manifest's `retention` (null: nothing was ever pruned). Pure. */
export function retentionOf(window: ExportWindow, horizon: RetentionHorizon | null): EvidenceManifest['retention'] | null {
  if (!horizon?.findingsFrom) return null
  const beyond = window.from.toISOString() < horizon.findingsFrom
  const kept = horizon.findingsDays !== null ? `${horizon.findingsDays} days` : 'a limited time'
  return {
    findingsFrom: horizon.findingsFrom,
    findingsDays: horizon.findingsDays,
    windowBeyondRetention: beyond,
    note: beyond
      ? `The window starts ${window.from.toISOString()}, but the collector keeps full scans for ${kept}: scans finished before ${horizon.findingsFrom} were pruned (each node's latest scan is kept), so this archive covers the window only from ${horizon.findingsFrom}.`
      : `The whole window is within the retained history (full scans kept from ${horizon.findingsFrom}).`,
  }
}

async function writeArchive(zip: EvidenceZipWriter, request: ExportRequest, context: ExportContext): Promise<EvidenceManifest> {
  const { source } = context
  const { framework, window, labels } = request
  const builder = new ControlResultsBuilder()
  const scansTotal = source.countScans ? await source.countScans(window, labels) : null
  const tell = (phase: ExportProgress['phase']) => context.onProgress?.({ phase, scansWritten: builder.scanCount, scansTotal, filesWritten: zip.files().length })
  const add: typeof zip.add = async (...args) => {
    context.signal?.throwIfAborted()
    const file = await zip.add(...args)
    tell('files')
    return file
  }
  tell('findings')
  const retention = retentionOf(window, source.retention ? await source.retention() : null)
  const rulesVersions = new Set<string>()
  const nodes = new Set<string>()

  // 1. Every finding of every scan in the window, folded into control results on the way.
  await add(evidenceFiles.findings.path, batched(findingLines()), evidenceFiles.findings.description)
  async function* findingLines(): AsyncGenerator<string> {
    for await (const batch of source.scanBatches(window, labels)) {
      context.signal?.throwIfAborted()
      for (const { scan, findings } of batch) {
        builder.addScan(scan, findings)
        rulesVersions.add(scan.rulesVersion)
        nodes.add(scan.nodeId)
        const scanPart = JSON.stringify({ scanId: scan.scanId, nodeId: scan.nodeId, hostname: scan.hostname, finishedAt: scan.finishedAt, rulesVersion: scan.rulesVersion }).slice(0, -1)
        for (const f of findings) {
          const findingPart = JSON.stringify({
            rule: f.rule, target: f.target, domain: f.domain, severity: f.severity, status: f.status, message: f.message,
            waiver: f.waiver, expiredWaiver: f.status === 'fail' ? expiredWaiverOf(f.message) : null,
          }).slice(1, -1)
          const evidence = f.evidenceJson !== undefined ? (f.evidenceJson ?? 'null') : JSON.stringify(f.evidence ?? null)
          yield `${scanPart},${findingPart},"evidence":${evidence}}\n`
        }
      }
      tell('findings')
    }
  }

  // 2. The scans themselves: proof of what ran, when.
  await add(evidenceFiles.scans.path, batched(scanLines()), evidenceFiles.scans.description)
  async function* scanLines(): AsyncGenerator<string> {
    yield csvRow(['scanId', 'nodeId', 'hostname', 'startedAt', 'finishedAt', 'source', 'postureVersion', 'rulesVersion', 'score', 'scoreWithoutWaivers', 'grade'])
    for await (const batch of source.scanList(window, labels)) {
      for (const s of batch) yield csvRow([s.scanId, s.nodeId, s.hostname, s.startedAt, s.finishedAt, s.source, s.postureVersion, s.rulesVersion, s.score, s.scoreWithoutWaivers, s.grade])
    }
  }

  // 3. Per-control results.
  const manual = await source.manualEvidence(framework.framework)
  const manualCounts = new Map<string, number>()
  for (const m of manual) manualCounts.set(m.control, (manualCounts.get(m.control) ?? 0) + 1)
  const coverage = controlCoverage(framework, context.rules)
  const prior = new Map<string, string>()
  for (const { nodeId, rule, target } of builder.failuresBeforeWindow()) {
    const since = await source.priorFailingSince(nodeId, rule, target)
    if (since !== null) prior.set(`${nodeId}\0${rule}\0${target}`, since)
  }
  const controls = builder.results(framework.framework, coverage, {
    policy: context.policy,
    windowEnd: window.to,
    manualEvidence: manualCounts,
    priorFailingSince: (n, r, t) => prior.get(`${n}\0${r}\0${t}`) ?? null,
  })
  const summary = builder.summary(controls, context.policy)
  await add(evidenceFiles.controlsJson.path, `${JSON.stringify({ framework: framework.framework, window: isoWindow(window), summary, controls }, null, 2)}\n`, evidenceFiles.controlsJson.description)
  await add(evidenceFiles.controlsCsv.path, controlsCsv(controls), evidenceFiles.controlsCsv.description)
  await add(evidenceFiles.failuresCsv.path, batched(failureLines(controls)), evidenceFiles.failuresCsv.description)

  // 4. How each rule checks, and what the gatherers read in the window's scans.
  const gatherers = mergeGathererReads(context.gathererMethods ?? [], source.gathererReads ? await source.gathererReads(window, labels) : [])
  const methods = context.rules
    .filter((r) => (r.controls[framework.framework] ?? []).length > 0)
    .map((r) => ({
      rule: r.id, title: r.title, domain: r.domain, severity: r.severity, controls: r.controls[framework.framework], check: r.check, forEach: r.forEach, reads: r.reads, remediation: r.remediation,
      gatheredBy: gatherers.filter((g) => g.domains.includes(r.domain)).map((g) => g.gatherer),
    }))
  await add(evidenceFiles.methods.path, `${JSON.stringify({ framework: framework.framework, rules: methods, gatherers }, null, 2)}\n`, evidenceFiles.methods.description)

  // 5. Waivers in force at any time in the window.
  // Those in force at any time in the window, and any other a finding of the window carried.
  const stored = await source.waivers()
  const waiverRecord = (w: Omit<WaiverRecord, 'expiredInWindow' | 'findingsWaived'>): WaiverRecord => ({ ...w, expiredInWindow: Date.parse(w.expires) < window.to.getTime(), findingsWaived: builder.waivedCounts().get(w.id) ?? 0 })
  const waivers: WaiverRecord[] = stored
    .filter((w) => (Date.parse(w.created) < window.to.getTime() && Date.parse(w.expires) >= window.from.getTime()) || builder.waivedCounts().has(w.id))
    .map((w) => waiverRecord({ ...w, removed: false }))
  for (const [id, { rule, ref }] of builder.waiverRefs()) {
    if (stored.some((w) => w.id === id)) continue
    waivers.push(waiverRecord({ id, rule, justification: ref.justification, approver: ref.approver, expires: ref.expires, created: null, removed: true }))
  }
  await add(evidenceFiles.waivers.path, `${JSON.stringify(waivers, null, 2)}\n`, evidenceFiles.waivers.description)

  // 6. Manual evidence: the index, then each file.
  const manualFiles: (ManualEvidence & { archivePath: string })[] = manual.map((m) => ({ ...m, archivePath: `manual-evidence/${m.id}-${safeName(m.fileName)}` }))
  await add(evidenceFiles.manualIndex.path, `${JSON.stringify(manualFiles, null, 2)}\n`, evidenceFiles.manualIndex.description)
  for (const m of manualFiles) {
    const file = await add(m.archivePath, source.manualEvidenceContent(m), `Manual evidence for ${m.control}: ${m.note}`)
    if (file.sha256 !== m.sha256) throw new Error(`manual evidence ${m.id} (${m.fileName}) no longer matches its recorded SHA-256`)
  }

  // 7. The audit-log excerpt with its chain links, and the whole chain's verdict now.
  const chainVerdict = summarizeChainVerdict(await source.verifyAuditChain())
  let firstSeq: number | null = null
  let lastSeq: number | null = null
  let anchor: string | null = null
  let lastHash: string | null = null
  let auditCount = 0
  await add(evidenceFiles.audit.path, batched(auditLines()), evidenceFiles.audit.description)
  async function* auditLines(): AsyncGenerator<string> {
    for await (const entry of source.auditEntries(window)) {
      if (firstSeq === null) {
        firstSeq = entry.seq
        anchor = entry.prevHash
      }
      lastSeq = entry.seq
      lastHash = entry.hash
      auditCount++
      yield `${JSON.stringify(entry)}\n`
    }
  }

  // 8. The report, as HTML and PDF.
  const report: EvidenceReport = {
    framework: { id: framework.framework, name: framework.name, version: framework.version, publisher: framework.publisher, scope: framework.scope, source: framework.source, licence: framework.licence },
    window: isoWindow(window),
    labels,
    exportedBy: request.exportedBy,
    exportedAt: context.now.toISOString(),
    collectorVersion: context.collectorVersion,
    rulesVersions: [...rulesVersions].sort(),
    signingKeyFingerprint: context.signingKey.fingerprint,
    summary,
    controls,
    waivers,
    manualEvidence: manual,
    audit: { entries: auditCount, firstSeq, lastSeq, chainAtExport: chainVerdict },
    retentionNote: retention?.windowBeyondRetention ? retention.note : null,
  }
  await add(evidenceFiles.html.path, renderReportHtml(report), evidenceFiles.html.description)
  await add(evidenceFiles.pdf.path, renderReportPdf(report, context.now) as unknown as AsyncIterable<Buffer>, evidenceFiles.pdf.description)
  await add(evidenceFiles.publicKey.path, context.signingKey.publicKeyPem, evidenceFiles.publicKey.description)

  // 9. The manifest over all of it, and its signature.
  const manifest: EvidenceManifest = {
    schema: evidenceSchemaId,
    framework: { id: framework.framework, name: framework.name, version: framework.version, scope: framework.scope },
    window: isoWindow(window),
    labels,
    rulesVersions: report.rulesVersions,
    collectorRulesVersion: context.rulesVersion,
    collectorVersion: context.collectorVersion,
    exportedBy: request.exportedBy,
    exportedAt: report.exportedAt,
    signingKey: { algorithm: 'Ed25519', fingerprint: context.signingKey.fingerprint, publicKeyPem: context.signingKey.publicKeyPem },
    counts: { nodes: nodes.size, scans: builder.scanCount, findings: summary.findings, controls: controls.length, auditEntries: auditCount, manualEvidence: manual.length },
    ...(retention ? { retention } : {}),
    auditLog: { firstSeq, lastSeq, anchorPrevHash: anchor, lastHash, chainAtExport: chainVerdict },
    files: zip.files(),
  }
  const bytes = manifestBytes(manifest)
  zip.addUnlisted(manifestName, bytes)
  zip.addUnlisted(signatureName, Buffer.from(`${sign(null, bytes, context.signingKey.privateKey).toString('base64')}\n`))
  return manifest
}

function controlsCsv(controls: readonly ControlResult[]): string {
  let out = csvRow(['framework', 'control', 'title', 'family', 'automated', 'verdict', 'rules', 'nodesEvaluated', 'nodesPassing', 'nodesFailing', 'nodesWaived', 'nodesError', 'checksPass', 'checksFail', 'checksError', 'checksNa', 'checksWaived', 'scoreWithWaivers', 'scoreWithoutWaivers', 'failingSince', 'openFailures', 'overdueFailures', 'earliestSlaDue', 'manualEvidence'])
  for (const c of controls) {
    out += csvRow([c.framework, c.control, c.title, c.family, c.automated, c.verdict, c.rules.join(' '), c.nodesEvaluated, c.nodesPassing, c.nodesFailing, c.nodesWaived, c.nodesError, c.checks.pass, c.checks.fail, c.checks.error, c.checks.na, c.checks.waived, c.scoreWithWaivers, c.scoreWithoutWaivers, c.failingSince, c.openFailures, c.overdueFailures, c.earliestSlaDue, c.manualEvidence])
  }
  return out
}

function* failureLines(controls: readonly ControlResult[]): Generator<string> {
  yield csvRow(['control', 'nodeId', 'hostname', 'rule', 'target', 'severity', 'statusAtWindowEnd', 'failingSince', 'failingBeforeWindow', 'slaDue', 'resolvedAt', 'remediation', 'failedScans', 'waiver', 'waiverApprover', 'waiverExpires', 'expiredWaiver', 'message'])
  for (const c of controls) {
    for (const f of c.failures) {
      yield csvRow([c.control, f.nodeId, f.hostname, f.rule, f.target, f.severity, f.status, f.failingSince, f.failingBeforeWindow, f.slaDue, f.resolvedAt, f.remediation, f.failedScans, f.waiver?.id ?? null, f.waiver?.approver ?? null, f.waiver?.expires ?? null, f.expiredWaiver ? `${f.expiredWaiver.id} expired ${f.expiredWaiver.expired}` : null, f.message])
    }
  }
}

/** Joins small strings into chunks of about 64 KiB: one zip write per chunk, not per line. */
async function* batched(lines: Iterable<string> | AsyncIterable<string>): AsyncGenerator<string> {
  let buffer = ''
  for await (const line of lines) {
    buffer += line
    if (buffer.length >= chunkBytes) {
      yield buffer
      buffer = ''
    }
  }
  if (buffer) yield buffer
}

function isoWindow(window: ExportWindow): { from: string; to: string } {
  return { from: window.from.toISOString(), to: window.to.toISOString() }
}

/** A file name safe inside the archive: no directories, no control characters. */
function safeName(name: string): string {
  return name.replace(/[/\\\0-\x1f]/g, '_').replace(/^\.+/, '_').slice(0, 120) || 'file'
}
