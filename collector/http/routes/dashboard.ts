import type { FastifyInstance } from 'fastify'
import type { AuthDeps } from '../../auth/auth-deps.js'
import { LoginLimiter, defaultLoginLimiterPolicy, type LoginLimiterPolicy } from '../../auth/login-limiter.js'
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
  const authorize = (backend: Backend): Authorize => {
    const auth: AuthDeps = {
      accounts: backend.accounts,
      audit: backend.auditWithClock(clock),
      limiter: new LoginLimiter(options.limiterPolicy ?? defaultLoginLimiterPolicy),
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
    if (!deps) throw new TypeError('createDashboard(): pass `authorize` to buildCollector along with the plugin')
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
