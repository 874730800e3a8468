import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { FrameworkCatalogue } from '../../rules/frameworks/framework-catalogue.js'
import { errorMessage } from '../../rules/posture-error.js'
import type { AuditEvent } from '../audit/audit-chain.js'
import type { CollectorContext } from '../collector-context.js'
import { actorOf, principal } from '../http/guard.js'
import { sendError } from '../http/http-errors.js'
import { parseOr400 } from '../http/routes/parse-request.js'
import { manifestBytes, type EvidenceManifest } from './evidence-manifest.js'
import { ExportJobError, ExportJobs, type ExportJobHooks, type ExportJobView, type ExportJobViewer } from './export-jobs.js'

/**
 * The export API as background jobs (export-jobs.ts): POST /api/exports queues an export
 * and answers 202 with the job; GET /api/exports/:id shows its state and progress, and
 * once done the link to GET /api/exports/:id/archive. Only the user (or API token, by its
 * id) who asked sees the job, and admins (GET /api/exports?everyone=true lists every
 * owner's). Limits come from the config's `exports` section. Every export is in the audit log: `export.create` with the manifest's
 * SHA-256 when it succeeds (run-export.ts), with the error when it fails, and
 * `export.download` each time the archive is fetched.
 */
export interface ExportJobRouteDeps {
  frameworks: ReadonlyMap<string, FrameworkCatalogue>
  audit: { append(event: AuditEvent): Promise<unknown> }
  /** Runs one export into `hooks.out` (run-export.ts with the collector's store). */
  run(job: ExportJobView & { ip: string | null }, hooks: ExportJobHooks): Promise<EvidenceManifest>
}

const isoInstant = z.iso.datetime({ offset: true }).or(z.iso.date())
const exportBody = z
  .object({ framework: z.string().min(1), from: isoInstant, to: isoInstant, labels: z.record(z.string(), z.string()).default({}) })
  .strict()
const jobParams = z.object({ id: z.uuid() }).strict()
const listQuery = z.object({ everyone: z.enum(['true', 'false']).default('false') }).strict()

/** Who asks: a user or an API token (each token its own owner, `token:<id>`), an admin or not. */
function viewerOf(request: FastifyRequest): ExportJobViewer & { ip: string } {
  const who = principal(request)
  return { owner: actorOf(who), admin: who.role === 'admin', ip: request.ip }
}

export function registerExportJobRoutes(app: FastifyInstance, ctx: CollectorContext, deps: ExportJobRouteDeps): ExportJobs {
  const exporting = ctx.authorize('findings.export')
  const log = app.log.child({ component: 'export-jobs' })
  const ips = new Map<string, string | null>()
  const jobs = new ExportJobs({
    ...ctx.config.exports,
    dataDir: ctx.config.dataDir,
    clock: ctx.clock,
    onFinished: (job) => {
      const ip = ips.get(job.id) ?? null
      ips.delete(job.id)
      if (job.state === 'done') return log.info({ job: job.id, framework: job.framework, bytes: job.archive?.bytes }, 'evidence export finished')
      log.warn({ job: job.id, framework: job.framework, err: job.error }, 'evidence export failed')
      deps.audit
        .append({ actor: job.owner, action: 'export.create', target: `framework:${job.framework}`, outcome: 'failure', ip, details: { job: job.id, from: job.from, to: job.to, labels: JSON.stringify(job.labels), error: job.error } })
        .catch((err: unknown) => log.error({ job: job.id, err: errorMessage(err) }, 'could not audit-log a failed export'))
    },
  })
  app.addHook('onClose', () => jobs.close())

  app.post('/api/exports', { preHandler: exporting }, async (request, reply) => {
    const body = parseOr400(exportBody, request.body ?? null, reply)
    if (!body) return reply
    if (!deps.frameworks.has(body.framework)) return sendError(reply, 'BAD_REQUEST', `framework: unknown framework ${body.framework} (${[...deps.frameworks.keys()].join(', ')})`)
    const from = new Date(body.from)
    const to = new Date(body.to)
    if (from.getTime() >= to.getTime()) return sendError(reply, 'BAD_REQUEST', 'from: must be before to')
    const who = viewerOf(request)
    try {
      const job = jobs.start({ framework: body.framework, from: from.toISOString(), to: to.toISOString(), labels: body.labels, owner: who.owner }, async (view, hooks) => {
        const manifest = await deps.run({ ...view, ip: who.ip }, hooks)
        return { manifestSha256: createHash('sha256').update(manifestBytes(manifest)).digest('hex') }
      })
      ips.set(job.id, who.ip)
      return reply.code(202).header('location', `/api/exports/${job.id}`).send({ job })
    } catch (err) {
      if (err instanceof ExportJobError) return sendError(reply, err.code, err.message)
      throw err
    }
  })

  app.get('/api/exports', { preHandler: exporting }, async (request, reply) => {
    const query = parseOr400(listQuery, request.query ?? {}, reply)
    if (!query) return reply
    const who = viewerOf(request)
    if (query.everyone === 'true' && !who.admin) return sendError(reply, 'FORBIDDEN', 'only admins may list every owner’s exports')
    return { jobs: jobs.list(who, { everyone: query.everyone === 'true' }) }
  })

  app.get('/api/exports/:id', { preHandler: exporting }, async (request, reply) => {
    const params = parseOr400(jobParams, request.params, reply)
    if (!params) return reply
    const job = jobs.get(params.id, viewerOf(request))
    return job ? { job } : sendError(reply, 'NOT_FOUND', `no export job ${params.id} of yours (jobs last only while the collector runs)`)
  })

  app.get('/api/exports/:id/archive', { preHandler: exporting }, async (request, reply) => {
    const params = parseOr400(jobParams, request.params, reply)
    if (!params) return reply
    const who = viewerOf(request)
    const job = jobs.get(params.id, who)
    const path = jobs.archivePath(params.id, who)
    if (!job || !path || !job.archive) return sendError(reply, 'NOT_FOUND', job ? `export job ${params.id} is ${job.state}, no archive to download` : `no export job ${params.id} of yours`)
    await deps.audit.append({ actor: who.owner, action: 'export.download', target: `framework:${job.framework}`, outcome: 'success', ip: who.ip, details: { job: job.id, manifestSha256: job.archive.manifestSha256, bytes: job.archive.bytes } })
    return reply.type('application/zip').header('content-disposition', `attachment; filename="${job.archive.fileName}"`).header('cache-control', 'no-store').send(createReadStream(path))
  })
  return jobs
}
