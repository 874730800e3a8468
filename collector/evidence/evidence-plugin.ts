import type { FastifyInstance } from 'fastify'
import { loadFrameworks } from '../../rules/frameworks/framework-catalogue.js'
import { errorMessage } from '../../rules/posture-error.js'
import type { CollectorContext } from '../collector-context.js'
import { registerWaiverRoutes } from '../waivers/waiver-routes.js'
import { waiversNeedRescore } from '../waivers/waivers-watch.js'
import { registerEvidenceRoutes } from './evidence-routes.js'

/**
 * Compliance evidence (issue 11) as a collector plugin: the frameworks, manual evidence,
 * export and waivers API, and a watch that re-scores when waivers change or expire.
 * `attach(collector)` hands it the collector's `reloadRules` once built (plugins run
 * inside buildCollector, before the collector object exists).
 */
export interface EvidenceOptions {
  /** How often to look for waiver changes made elsewhere (`posture waiver`) and expiries. */
  watchEveryMs?: number
}

export interface Evidence {
  plugin: (app: FastifyInstance, ctx: CollectorContext) => void
  attach(collector: { reloadRules(): Promise<unknown> }): void
}

export function createEvidence(options: EvidenceOptions = {}): Evidence {
  let reload: (() => Promise<unknown>) | null = null
  const plugin = (app: FastifyInstance, ctx: CollectorContext): void => {
    const log = app.log.child({ component: 'evidence' })
    const audit = ctx.backend.auditWithClock(ctx.clock)
    const { waivers } = ctx.backend
    let seen = { version: ctx.scoring().waiversVersion, checkedAt: ctx.clock().getTime() }
    let checking: Promise<void> | null = null
    const check = (): Promise<void> => {
      checking ??= (async () => {
        const now = ctx.clock().getTime()
        const { versionChanged, expired } = waiversNeedRescore(seen, { version: await waivers.version(), now }, await waivers.list())
        if (expired.length > 0) {
          log.warn({ waivers: expired }, 'waivers expired: their findings count as failures again')
          await waivers.bump()
        }
        seen = { version: await waivers.version(), checkedAt: now }
        if ((versionChanged || expired.length > 0) && reload) await reload()
      })()
        .catch((err: unknown) => log.error({ err: errorMessage(err) }, 're-scoring after a waiver change failed'))
        .finally(() => (checking = null))
      return checking
    }
    registerWaiverRoutes(app, ctx, { waivers, audit, ruleIds: () => new Set(ctx.scoring().ruleSet.rules.map((r) => r.spec.id)) }, () => void check())
    registerEvidenceRoutes(app, ctx, { source: ctx.backend.evidence, dataDir: ctx.config.dataDir, frameworks: loadFrameworks(), manual: ctx.backend.manualEvidence, audit })
    let timer: NodeJS.Timeout | null = null
    app.addHook('onReady', async () => {
      timer = setInterval(() => void check(), options.watchEveryMs ?? 5_000)
      timer.unref()
    })
    app.addHook('onClose', async () => {
      if (timer) clearInterval(timer)
      await checking
    })
  }
  return {
    plugin,
    attach(collector) {
      reload = () => collector.reloadRules()
    },
  }
}
