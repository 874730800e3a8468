import type { FastifyInstance } from 'fastify'
import pLimit from 'p-limit'
import { defaultScanConfig, type ScanConfig } from '../../agent/scan-config.js'
import { scoredWith } from '../agent-handlers.js'
import type { CollectorContext } from '../collector-context.js'
import { registerSshNodeRoutes } from '../ssh/ssh-node-routes.js'
import { createSshExecutor } from '../ssh/ssh-executor.js'
import { createAgentExecutor } from './agent-executor.js'
import { registerScheduleRoutes } from './schedule-routes.js'
import { Scheduler } from './scheduler.js'
import type { ScheduleRun } from './schedule-spec.js'

export interface SchedulesOptions {
  /** The collector's environment: SSH_AUTH_SOCK for nodes whose key is `agent`. */
  env?: NodeJS.ProcessEnv
  /** What SSH scans are told beyond what they see (the agent's scan config; defaults). */
  scanConfig?: ScanConfig
  /** Told of each run as it ends. */
  onRunFinished?: (run: ScheduleRun) => void
}

export interface Schedules {
  /** For buildCollector's `plugins`: the schedules and SSH nodes API, and the scheduler. */
  plugin: (app: FastifyInstance, ctx: CollectorContext) => void
  /** The scheduler, once the plugin ran (null before). */
  scheduler(): Scheduler | null
}

/**
 * Scheduled scans and agentless SSH nodes (issue 9) as a collector plugin, the way the
 * dashboard plugs in: routes registered with the API, the scheduler started when the
 * collector is ready (fastify `onReady`, i.e. when it listens) and stopped, scans in
 * flight awaited, when it closes (`onClose`, before the store closes).
 */
export function createSchedules(options: SchedulesOptions = {}): Schedules {
  let scheduler: Scheduler | null = null
  const plugin = (app: FastifyInstance, ctx: CollectorContext): void => {
    const store = ctx.store
    const config = ctx.config.schedules
    const log = app.log.child({ component: 'schedules' })
    const { schedules, sshNodes: nodes } = ctx.backend
    const audit = ctx.backend.auditWithClock(ctx.clock)
    const ssh = createSshExecutor({
      nodes,
      store,
      scoring: () => {
        const state = ctx.scoring()
        return { ruleSet: state.ruleSet, waivers: state.waivers, scoredWith: scoredWith(state) }
      },
      scanConfig: options.scanConfig ?? defaultScanConfig,
      hostLimit: pLimit(config.ssh.maxConcurrentHosts),
      connectTimeoutMs: config.ssh.connectTimeoutMs,
      maxChannelsPerHost: config.ssh.maxChannelsPerHost,
      agentSocket: options.env?.SSH_AUTH_SOCK || undefined,
      clock: ctx.clock,
      log,
      onReport: (nodeId, scanId) => ctx.events.emit('report', { nodeId, scanId }),
    })
    const agent = createAgentExecutor({
      listNodes: () => store.listNodes(),
      // The agent may be connected to another collector on the same database.
      send: (agentId, message) => ctx.cluster.sendToAgent(agentId, message),
      subscribeReports: (listener) => {
        ctx.events.on('report', listener)
        return () => ctx.events.off('report', listener)
      },
      scanRequested: (scan) => ctx.events.emit('scan-requested', scan),
      reportTimeoutMs: config.agentReportTimeoutMs,
    })
    const running = new Scheduler({
      schedules,
      executors: { agent, ssh },
      clock: ctx.clock,
      log,
      pollMs: config.pollMs,
      claimSlot: (scheduleId, slot) => ctx.cluster.claimOnce('schedule-slot', `${scheduleId}@${slot.toISOString()}`),
      // Runs are owned by this collector's cluster id: only its own leftovers and those of collectors gone are interrupted.
      owner: ctx.cluster.collectorId,
      liveMembers: () => ctx.cluster.liveMembers(),
      orphanSweepMs: config.orphanSweepMs,
      ...(options.onRunFinished ? { onRunFinished: options.onRunFinished } : {}),
    })
    scheduler = running
    const deps = { schedules, nodes, audit }
    registerScheduleRoutes(app, ctx, deps, running)
    registerSshNodeRoutes(app, ctx, deps)
    app.addHook('onReady', async () => running.start())
    app.addHook('onClose', async () => running.stop())
  }
  return { plugin, scheduler: () => scheduler }
}
