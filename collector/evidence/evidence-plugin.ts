import type { FastifyInstance } from 'fastify'
import { loadFrameworks } from '../../rules/frameworks/framework-catalogue.js'
import { errorMessage } from '../../rules/posture-error.js'
import { SqliteAuditLog } from '../audit/sqlite-audit-log.js'
import type { CollectorContext } from '../collector-context.js'
import { SqliteStore } from '../store/sqlite-store.js'
import { SqliteWaivers } from '../waivers/sqlite-waivers.js'
import { registerWaiverRoutes } from '../waivers/waiver-routes.js'
import { waiversNeedRescore } from '../waivers/waivers-watch.js'
import { registerEvidenceRoutes } from './evidence-routes.js'
import { ManualEvidenceStore } from './manual-evidence-store.js'

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
    if (!(ctx.store instanceof SqliteStore)) throw new TypeError('createEvidence(): evidence is read from the SQLite store')
    const db = ctx.store.db
    const log = app.log.child({ component: 'evidence' })
    const audit = new SqliteAuditLog(db, ctx.clock)
    const waivers = new SqliteWaivers(db)
    let seen = { version: ctx.scoring().waiversVersion, checkedAt: ctx.clock().getTime() }
    let checking: Promise<void> | null = null
    const check = (): Promise<void> => {
      checking ??= (async () => {
        const now = ctx.clock().getTime()
        const { versionChanged, expired } = waiversNeedRescore(seen, { version: waivers.version(), now }, waivers.list())
        if (expired.length > 0) {
          log.warn({ waivers: expired }, 'waivers expired: their findings count as failures again')
          waivers.bump()
        }
        seen = { version: waivers.version(), checkedAt: now }
        if ((versionChanged || expired.length > 0) && reload) await reload()
      })()
        .catch((err: unknown) => log.error({ err: errorMessage(err) }, 're-scoring after a waiver change failed'))
        .finally(() => (checking = null))
      return checking
    }
    registerWaiverRoutes(app, ctx, { waivers, audit, ruleIds: () => new Set(ctx.scoring().ruleSet.rules.map((r) => r.spec.id)) }, () => void check())
    registerEvidenceRoutes(app, ctx, { db, dataDir: ctx.config.dataDir, frameworks: loadFrameworks(), manual: new ManualEvidenceStore(db, ctx.config.dataDir), audit })
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
