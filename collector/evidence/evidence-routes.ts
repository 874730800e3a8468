import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { controlCoverage, type FrameworkCatalogue } from '../../rules/frameworks/framework-catalogue.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { CollectorContext } from '../collector-context.js'
import { sendError } from '../http/http-errors.js'
import { parseOr400 } from '../http/routes/parse-request.js'
import { actor } from '../schedule/schedule-routes.js'
import type { EvidenceSource } from './evidence-source.js'
import { maxManualEvidenceBytes, type ManualEvidenceStore } from './manual-evidence-store.js'
import { registerExportJobRoutes } from './export-job-routes.js'
import { ruleInfos, runExport } from './run-export.js'
import { loadOrCreateSigningKey } from './signing-key.js'

/**
 * The compliance API: frameworks and their controls (which Posture checks, which need
 * manual evidence), manual evidence attached to a control, the signing key, and evidence
 * exports as background jobs (export-job-routes.ts). Reading needs `fleet.read`; exporting and attaching
 * evidence need `findings.export` (auditors hold it).
 */
export interface EvidenceRouteDeps {
  source: EvidenceSource
  dataDir: string
  frameworks: ReadonlyMap<string, FrameworkCatalogue>
  manual: ManualEvidenceStore
  audit: AuditLog
}

const frameworkParams = z.object({ framework: z.string().min(1) }).strict()
const controlParams = z.object({ framework: z.string().min(1), control: z.string().min(1).max(40) }).strict()
const evidenceBody = z
  .object({
    fileName: z.string().min(1).max(200),
    mediaType: z.string().min(1).max(100).default('application/octet-stream'),
    note: z.string().trim().min(1).max(2000),
    contentBase64: z.string().min(1),
  })
  .strict()

export function registerEvidenceRoutes(app: FastifyInstance, ctx: CollectorContext, deps: EvidenceRouteDeps): void {
  const read = ctx.authorize('fleet.read')
  const exporting = ctx.authorize('findings.export')

  app.get('/api/frameworks', { preHandler: read }, async () => {
    const rules = ruleInfos(ctx.scoring().ruleSet)
    return {
      frameworks: [...deps.frameworks.values()].map((f) => {
        const coverage = controlCoverage(f, rules)
        return { id: f.framework, name: f.name, version: f.version, scope: f.scope, controls: coverage.length, automated: coverage.filter((c) => c.automated).length }
      }),
    }
  })

  app.get('/api/frameworks/:framework', { preHandler: read }, async (request, reply) => {
    const params = parseOr400(frameworkParams, request.params, reply)
    if (!params) return reply
    const framework = deps.frameworks.get(params.framework)
    if (!framework) return sendError(reply, 'NOT_FOUND', `no framework ${params.framework} (${[...deps.frameworks.keys()].join(', ')})`)
    const evidence = await deps.manual.list(framework.framework)
    return {
      framework: { id: framework.framework, name: framework.name, version: framework.version, publisher: framework.publisher, scope: framework.scope, source: framework.source, licence: framework.licence, families: framework.families },
      controls: controlCoverage(framework, ruleInfos(ctx.scoring().ruleSet)).map((c) => ({ ...c, manualEvidence: evidence.filter((e) => e.control === c.id) })),
    }
  })

  app.post('/api/frameworks/:framework/controls/:control/evidence', { preHandler: exporting, bodyLimit: Math.ceil((maxManualEvidenceBytes * 4) / 3) + 4096 }, async (request, reply) => {
    const params = parseOr400(controlParams, request.params, reply)
    const body = params && parseOr400(evidenceBody, request.body ?? null, reply)
    if (!params || !body) return reply
    const framework = deps.frameworks.get(params.framework)
    if (!framework) return sendError(reply, 'NOT_FOUND', `no framework ${params.framework}`)
    if (!framework.controls.some((c) => c.id === params.control)) return sendError(reply, 'NOT_FOUND', `no control ${params.control} in ${framework.name}`)
    const content = Buffer.from(body.contentBase64, 'base64')
    if (content.length === 0) return sendError(reply, 'BAD_REQUEST', 'contentBase64: empty or not base64')
    if (content.length > maxManualEvidenceBytes) return sendError(reply, 'PAYLOAD_TOO_LARGE', `manual evidence is limited to ${maxManualEvidenceBytes} bytes`)
    const who = actor(request)
    const item = await deps.manual.add({ framework: framework.framework, control: params.control, fileName: body.fileName, mediaType: body.mediaType, note: body.note, addedBy: who.actor, content }, ctx.clock())
    await deps.audit.append({ actor: who.actor, action: 'evidence.attach', target: `control:${framework.framework}:${params.control}`, outcome: 'success', ip: who.ip, details: { id: item.id, fileName: item.fileName, sha256: item.sha256, bytes: item.bytes, note: item.note } })
    return reply.code(201).send({ evidence: item })
  })

  app.get('/api/signing-key', { preHandler: read }, async (_request, reply) => {
    const key = loadOrCreateSigningKey(deps.dataDir)
    return reply.header('x-posture-key-fingerprint', key.fingerprint).type('application/x-pem-file').send(key.publicKeyPem)
  })

  registerExportJobRoutes(app, ctx, {
    frameworks: deps.frameworks,
    audit: deps.audit,
    run: (job, hooks) =>
      runExport(
        { source: deps.source, dataDir: deps.dataDir, ruleSet: ctx.scoring().ruleSet, collectorVersion: ctx.collectorVersion, audit: deps.audit, now: ctx.clock() },
        { framework: job.framework, window: { from: new Date(job.from), to: new Date(job.to) }, labels: job.labels, exportedBy: job.owner, ip: job.ip, out: hooks.out, job: job.id, onProgress: hooks.onProgress, signal: hooks.signal },
      ),
  })
}
