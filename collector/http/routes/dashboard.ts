import type { FastifyInstance } from 'fastify'
import type { AuthDeps } from '../../auth/auth-deps.js'
import { LoginLimiter, defaultLoginLimiterPolicy, type LoginLimiterPolicy } from '../../auth/login-limiter.js'
import { sealClearTotpSecrets, sealTotpSecrets } from '../../auth/sealed-accounts.js'
import { createTotpSecretBox, loadTotpKey, type TotpSecretBox } from '../../auth/totp-secret-box.js'
import { defaultSessionPolicy, type SessionPolicy } from '../../auth/session.js'
import type { CollectorContext } from '../../collector-context.js'
import type { Backend } from '../../store/backend.js'
import { packageRoot } from '../../../rules/package-root.js'
import type { Authorize } from '../api-auth.js'
import { loadDashboardAssets } from '../dashboard-assets.js'
import { dashboardAuthorize, type GuardDeps } from '../guard.js'
import { registerAuditRoutes } from './audit-routes.js'
import { registerAuthRoutes } from './auth-routes.js'
import { registerDashboardApi } from './dashboard-api.js'
import { registerDashboardPages } from './dashboard-pages.js'
import { registerLiveEvents } from './live-events-route.js'
import { registerTokensRoutes } from './tokens-routes.js'
import { registerUsersRoutes } from './users-routes.js'

export interface DashboardOptions {
  /** Every account must enrol TOTP before using the dashboard (default true). */
  totpRequired?: boolean
  sessionPolicy?: SessionPolicy
  limiterPolicy?: LoginLimiterPolicy
  clock?: () => Date
  /** Where dist/dashboard and dashboard/static are (default: Posture's package root). */
  root?: string
}

export interface Dashboard {
  /** For buildCollector's `authorize`: API tokens and browser sessions. */
  authorize: (backend: Backend) => Authorize
  /** For buildCollector's `plugins`: the dashboard's pages and API. */
  plugin: (app: FastifyInstance, ctx: CollectorContext) => void
}

/**
 * The dashboard (issue 10) as the two things buildCollector accepts: an access check that
 * admits sessions, and the routes. Both share one set of accounts, audit log and login
 * limiter, made when the collector opens its backend.
 */
export function createDashboard(options: DashboardOptions = {}): Dashboard {
  const assets = loadDashboardAssets(options.root ?? packageRoot())
  const clock = options.clock ?? (() => new Date())
  let deps: (GuardDeps & { authorize: Authorize }) | null = null
  // TOTP secrets are sealed with a key in the data directory, which the plugin learns from the config.
  let box: TotpSecretBox | null = null
  const openBox = () => {
    if (!box) throw new TypeError('createDashboard(): the TOTP key is loaded when the plugin is registered')
    return box
  }
  let backendAccounts: Backend['accounts'] | null = null
  const authorize = (backend: Backend): Authorize => {
    backendAccounts = backend.accounts
    const auth: AuthDeps = {
      accounts: sealTotpSecrets(backend.accounts, openBox),
      audit: backend.auditWithClock(clock),
      limiter: new LoginLimiter(backend.loginCounters, options.limiterPolicy ?? defaultLoginLimiterPolicy),
      sessionPolicy: options.sessionPolicy ?? defaultSessionPolicy,
      totpRequired: options.totpRequired ?? true,
      totpIssuer: 'Posture',
      clock,
    }
    const guardDeps: GuardDeps = { ...auth, tokens: backend.apiTokens }
    deps = { ...guardDeps, authorize: dashboardAuthorize(guardDeps) }
    return deps.authorize
  }
  const plugin = (app: FastifyInstance, ctx: CollectorContext) => {
    if (!deps || !backendAccounts) throw new TypeError('createDashboard(): pass `authorize` to buildCollector along with the plugin')
    box = createTotpSecretBox(loadTotpKey(ctx.config.dataDir))
    const accounts = backendAccounts
    const sealing = box
    app.addHook('onReady', async () => {
      const sealed = await sealClearTotpSecrets(accounts, sealing)
      if (sealed > 0) app.log.info({ sealed }, 'TOTP secrets sealed at rest')
    })
    registerAuthRoutes(app, deps)
    registerUsersRoutes(app, deps)
    registerTokensRoutes(app, deps)
    registerAuditRoutes(app, deps)
    registerDashboardApi(app, ctx, ctx.backend.dashboard)
    registerLiveEvents(app, ctx, ctx.tls !== null)
    registerDashboardPages(app, assets)
  }
  return { authorize, plugin }
}
