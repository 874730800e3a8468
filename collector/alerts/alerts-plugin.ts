import type { FastifyInstance } from 'fastify'
import type { CollectorContext } from '../collector-context.js'
import type { ScheduleRun } from '../schedule/schedule-spec.js'
import { errorMessage } from '../../rules/posture-error.js'
import { registerAlertRoutes } from './alert-routes.js'
import { AlertService } from './alert-service.js'
import { DeliveryWorker } from './delivery-worker.js'

export interface Alerts {
  /** For buildCollector's `plugins`: the webhooks API, the report listener, the sweep and the delivery worker. */
  plugin: (app: FastifyInstance, ctx: CollectorContext) => void
  /** For createSchedules' `onRunFinished`: a failed scheduled run is an alert. */
  onRunFinished: (run: ScheduleRun) => void
  /** The service, once the plugin ran (tests drive the sweep with their own clock). */
  service(): AlertService | null
  worker(): DeliveryWorker | null
}

/**
 * Alerts (issue 12) as a collector plugin, the way schedules plug in. A stored report is
 * turned into outbox messages on the next turn of the event loop (after the ack is on its
 * way); the worker sends them, so a slow or dead receiver never slows ingest.
 */
export function createAlerts(): Alerts {
  let service: AlertService | null = null
  let worker: DeliveryWorker | null = null
  const plugin = (app: FastifyInstance, ctx: CollectorContext): void => {
    const store = ctx.store
    const config = ctx.config.alerts
    const log = app.log.child({ component: 'alerts' })
    const alerts = ctx.backend.alerts
    const running = new DeliveryWorker({ alerts, options: config.delivery, clock: ctx.clock, log, userAgent: `posture/${ctx.collectorVersion}` })
    const made = new AlertService({ alerts, config, clock: ctx.clock, log, listWaivers: () => store.listWaivers(), queued: () => running.wake() })
    worker = running
    service = made
    const guarded = (what: string, fn: () => unknown) => () => {
      Promise.resolve()
        .then(fn)
        .catch((err: unknown) => log.error({ err: errorMessage(err) }, `${what} failed`))
    }
    // Several collectors on one database: the one that stored a report alerts on it (remote copies are
    // for live views); the cluster leader, which marks nodes offline, sweeps.
    ctx.events.on('report', ({ scanId, remote }) => {
      if (!remote) setImmediate(guarded('alerts for a report', () => made.onReport(scanId)))
    })
    ctx.events.on('rescore', ({ scanId, cause, remote }) => {
      if (!remote) setImmediate(guarded('alerts for a re-scored node', () => made.onRescore(scanId, cause)))
    })
    ctx.events.on('node-offline', ({ remote }) => {
      if (!remote) setImmediate(guarded('alert sweep', () => made.sweep()))
    })
    registerAlertRoutes(app, ctx, { alerts, service: made, audit: ctx.backend.auditWithClock(ctx.clock) })
    let sweepTimer: NodeJS.Timeout | null = null
    app.addHook('onReady', async () => {
      running.start()
      const sweep = guarded('alert sweep', () => made.sweep())
      sweepTimer = setInterval(() => {
        if (ctx.cluster.leads()) sweep()
      }, config.sweepMs)
      sweepTimer.unref()
    })
    app.addHook('onClose', async () => {
      if (sweepTimer) clearInterval(sweepTimer)
      await running.stop()
    })
  }
  return {
    plugin,
    // Errors are logged inside (AlertService never throws into the scheduler).
    onRunFinished: (run) => void service?.onRunFinished(run),
    service: () => service,
    worker: () => worker,
  }
}
