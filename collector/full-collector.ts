import type { Logger } from 'pino'
import { createAlerts } from './alerts/alerts-plugin.js'
import { buildCollector, type Collector } from './build-collector.js'
import type { CollectorConfig } from './collector-config.js'
import { createDomainChecks } from './domains/domain-checks-plugin.js'
import { createEvidence } from './evidence/evidence-plugin.js'
import { createDashboard } from './http/routes/dashboard.js'
import { createSchedules } from './schedule/schedules-plugin.js'

/**
 * The collector with every part users get: dashboard and accounts, schedules and SSH
 * nodes, evidence and waivers, alerts, domain checks. `posture collector` and `npm start`
 * both run this, so the one-machine start has every page the fleet collector has.
 */
export async function buildFullCollector(config: Readonly<CollectorConfig>, options: { env: NodeJS.ProcessEnv; logger?: Logger }): Promise<Collector> {
  const dashboard = createDashboard()
  const alerts = createAlerts()
  const schedules = createSchedules({ env: options.env, onRunFinished: alerts.onRunFinished })
  const evidence = createEvidence()
  const collector = await buildCollector(config, {
    ...(options.logger ? { logger: options.logger } : {}),
    authorize: dashboard.authorize,
    plugins: [dashboard.plugin, schedules.plugin, evidence.plugin, alerts.plugin, createDomainChecks().plugin],
  })
  evidence.attach(collector)
  return collector
}
