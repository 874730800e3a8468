import { createHash } from 'node:crypto'
import type { AuditLog } from '../audit/audit-log.js'
import type { RuleSet } from '../../rules/load-rules.js'
import { loadFrameworks, type FrameworkCatalogue } from '../../rules/frameworks/framework-catalogue.js'
import { PostureError } from '../../rules/posture-error.js'
import { manifestBytes, type EvidenceManifest } from './evidence-manifest.js'
import type { ExportWindow, RuleInfo } from './evidence-model.js'
import type { EvidenceSource } from './evidence-source.js'
import { exportEvidence, type ExportContext } from './export-evidence.js'
import { gathererMethods } from './gatherer-methods.js'
import { loadOrCreateSigningKey } from './signing-key.js'

/**
 * One export, as both `posture export` and the API run it: the collector's evidence source, its
 * rules and signing key, and an `export.create` row in the audit log once the archive is
 * written (with the manifest's SHA-256, so the log names exactly what was handed out).
 */
export interface RunExportDeps {
  /** The backend's evidence source (sqlite-evidence-source.ts, pg-evidence-source.ts). */
  source: EvidenceSource
  /** Where the signing key is. */
  dataDir: string
  ruleSet: RuleSet
  collectorVersion: string
  audit: AuditLog
  now: Date
}

export interface RunExportRequest {
  framework: string
  window: ExportWindow
  labels: Record<string, string>
  exportedBy: string
  ip: string | null
  out: string
  /** The background job (export-jobs.ts) this export runs for, named in the audit log. */
  job?: string
  onProgress?: ExportContext['onProgress']
  signal?: AbortSignal
}

export function frameworkOrThrow(id: string, frameworks: ReadonlyMap<string, FrameworkCatalogue> = loadFrameworks()): FrameworkCatalogue {
  const framework = frameworks.get(id)
  if (!framework) throw new PostureError('BAD_USAGE', `unknown framework "${id}" (one of ${[...frameworks.keys()].join(', ')})`)
  return framework
}

export function ruleInfos(ruleSet: RuleSet): RuleInfo[] {
  return ruleSet.rules.map((r) => ({
    id: r.spec.id,
    title: r.spec.title,
    domain: r.spec.domain,
    severity: r.spec.severity,
    remediation: r.spec.remediation,
    controls: r.spec.controls,
    check: r.spec.check,
    forEach: r.spec.for_each ?? null,
    reads: r.factPaths.map((p) => p.join('.')),
  }))
}

export async function runExport(deps: RunExportDeps, request: RunExportRequest): Promise<EvidenceManifest> {
  const framework = frameworkOrThrow(request.framework)
  const manifest = await exportEvidence(
    { framework, window: request.window, labels: request.labels, exportedBy: request.exportedBy, out: request.out },
    {
      source: deps.source,
      rules: ruleInfos(deps.ruleSet),
      rulesVersion: deps.ruleSet.version,
      collectorVersion: deps.collectorVersion,
      policy: deps.ruleSet.scoring,
      signingKey: loadOrCreateSigningKey(deps.dataDir),
      now: deps.now,
      gathererMethods: await gathererMethods(deps.now),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    },
  )
  await deps.audit.append({
    actor: request.exportedBy,
    action: 'export.create',
    target: `framework:${framework.framework}`,
    outcome: 'success',
    ip: request.ip,
    details: {
      ...(request.job ? { job: request.job } : {}),
      from: manifest.window.from,
      to: manifest.window.to,
      labels: JSON.stringify(request.labels),
      scans: manifest.counts.scans,
      manifestSha256: createHash('sha256').update(manifestBytes(manifest)).digest('hex'),
    },
  })
  return manifest
}
