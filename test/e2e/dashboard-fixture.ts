import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LightMyRequestResponse } from 'fastify'
import { pino } from 'pino'
import type { Browser as Chromium, BrowserContext, Page } from 'playwright-core'
import { buildCollector, type Collector } from '../../collector/build-collector.js'
import { createUserWithOneTimePassword, ensureAdminUser } from '../../collector/collector-admin.js'
import { resolveCollectorConfig, type CollectorConfigInput } from '../../collector/collector-config.js'
import { totpCode } from '../../collector/auth/totp.js'
import { createDashboard, type Dashboard, type DashboardOptions } from '../../collector/http/routes/dashboard.js'

type DashboardPlugin = Dashboard['plugin']
/** A collector plugin, or one that needs the built collector handed to it (the evidence plugin's `attach`). */
export type FixturePlugin = DashboardPlugin | { plugin: DashboardPlugin; attach(collector: Collector): void }

/**
 * A real collector with the dashboard plugged in, on 127.0.0.1:0 with its own
 * self-signed certificate and a fresh data directory, plus helpers to sign in through
 * the API the browser uses (fastify's inject: the same routes, hooks and headers).
 */
export interface DashboardCollector {
  collector: Collector
  url: string
  dataDir: string
  admin: { username: string; password: string }
  /** The dashboard's clock (sessions, TOTP): real time plus whatever `advance` added. */
  now(): number
  /** Moves the dashboard's clock on, e.g. 30 s so that the next TOTP code is a new one. */
  advance(ms: number): void
  /** The TOTP code an authenticator app would show now, then the clock moves to the next step. */
  totp(secret: string): string
  close(): Promise<void>
}

/** `plugins`: more collector plugins beside the dashboard's (e.g. schedules and SSH nodes, evidence). */
export async function startDashboardCollector(options: DashboardOptions = {}, overrides: CollectorConfigInput = {}, plugins: FixturePlugin[] = []): Promise<DashboardCollector> {
  const dataDir = mkdtempSync(join(tmpdir(), 'posture-dashboard-'))
  const config = resolveCollectorConfig({}, { dataDir, listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 }, ...overrides }, dataDir)
  let offset = 0
  const now = () => Date.now() + offset
  const dashboard = createDashboard({ clock: () => new Date(now()), ...options })
  const collector = await buildCollector(config, { logger: pino({ level: 'silent' }), authorize: dashboard.authorize, plugins: [dashboard.plugin, ...plugins.map((p) => (typeof p === 'function' ? p : p.plugin))] })
  for (const p of plugins) if (typeof p !== 'function') p.attach(collector)
  const url = await collector.start()
  const admin = await ensureAdminUser(collector.store, new Date())
  if (!admin) throw new Error('expected a fresh admin')
  return {
    collector,
    url,
    dataDir,
    admin,
    now,
    advance: (ms) => void (offset += ms),
    totp(secret) {
      const code = totpCode(secret, now())
      offset += 30_000
      return code
    },
    async close() {
      await collector.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface Browser {
  cookie: string
  csrf: string
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** One request as the dashboard makes it (cookie, CSRF header, same-origin fetch metadata). */
export async function call(app: Collector['app'], session: Browser | null, method: Method, url: string, body?: unknown): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url,
    headers: {
      ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
      'sec-fetch-site': 'same-origin',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  })
}

/** Signs in (password, and a TOTP code when `totpSecret` is given) and returns the browser's session. */
export async function signIn(dc: DashboardCollector, username: string, password: string, totpSecret?: string): Promise<Browser> {
  const app = dc.collector.app
  const response = await call(app, null, 'POST', '/api/auth/login', { username, password, ...(totpSecret ? { code: dc.totp(totpSecret) } : {}) })
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`)
  const cookie = String(response.headers['set-cookie']).split(';')[0]!
  const session = await call(app, { cookie, csrf: '' }, 'GET', '/api/session')
  return { cookie, csrf: (session.json() as { csrfToken: string }).csrfToken }
}

/**
 * Takes a new account through first sign-in: one-time password, new password, TOTP
 * enrolment. Returns the session, the new password and the TOTP secret.
 */
export async function completeSetup(dc: DashboardCollector, username: string, oneTimePassword: string, newPassword: string): Promise<{ browser: Browser; totpSecret: string; recoveryCodes: string[] }> {
  const app = dc.collector.app
  const first = await signIn(dc, username, oneTimePassword)
  const changed = await call(app, first, 'POST', '/api/auth/password', { current: oneTimePassword, next: newPassword })
  if (changed.statusCode !== 200) throw new Error(`password change failed: ${changed.body}`)
  const started = await call(app, first, 'POST', '/api/auth/totp/start')
  const { secret } = started.json() as { secret: string }
  const confirmed = await call(app, first, 'POST', '/api/auth/totp/confirm', { code: dc.totp(secret) })
  if (confirmed.statusCode !== 200) throw new Error(`TOTP confirm failed: ${confirmed.body}`)
  return { browser: first, totpSecret: secret, recoveryCodes: (confirmed.json() as { recoveryCodes: string[] }).recoveryCodes }
}

export type Role = 'admin' | 'operator' | 'auditor'
export type Account = Browser & { username: string; password: string; totpSecret: string }

const defaultUsers = { operator: { username: 'operator', password: 'passphrase of the night shift' }, auditor: { username: 'auditor', password: 'passphrase of the compliance desk' } }

/**
 * The admin through first sign-in (new password `adminPassword`), then an operator and an
 * auditor, each made with a one-time password and taken through first sign-in with the
 * username and passphrase given. Returns each role's signed-in session.
 */
export async function signInRoles(dc: DashboardCollector, adminPassword = 'fleet keeper passphrase 2026', users: Record<'operator' | 'auditor', { username: string; password: string }> = defaultUsers): Promise<Record<Role, Account>> {
  const admin = await completeSetup(dc, 'admin', dc.admin.password, adminPassword)
  const setUp = async (role: 'operator' | 'auditor'): Promise<Account> => {
    const { username, password } = users[role]
    const { password: oneTime } = await createUserWithOneTimePassword(dc.collector.store, username, role, new Date())
    const setup = await completeSetup(dc, username, oneTime, password)
    return { ...setup.browser, username, password, totpSecret: setup.totpSecret }
  }
  return { admin: { ...admin.browser, username: 'admin', password: adminPassword, totpSecret: admin.totpSecret }, operator: await setUp('operator'), auditor: await setUp('auditor') }
}

/**
 * Headless Chromium (launched by `launch`, closed by `close`) and its pages signed in with
 * a session cookie (from a sign-in through the API), each in its own context. Page errors
 * land in `errors`, and so do dialogs unless `dialogs` is 'dismiss' (they are dismissed
 * either way).
 */
export class SignedInPages {
  readonly errors: string[] = []
  readonly #contexts: BrowserContext[] = []
  readonly #chromium: Chromium
  readonly #url: string
  readonly #viewport: { width: number; height: number }

  private constructor(chromium: Chromium, url: string, viewport: { width: number; height: number }) {
    this.#chromium = chromium
    this.#url = url
    this.#viewport = viewport
  }

  static async launch(url: string): Promise<SignedInPages> {
    // Imported here: browser.ts checks for Chromium on import, and the API tests use this file without a browser.
    const { launchChromium, laptop } = await import('./browser.js')
    return new SignedInPages(await launchChromium(), url, laptop)
  }

  async open(cookie: string, options: { viewport?: { width: number; height: number }; acceptDownloads?: boolean; dialogs?: 'error' | 'dismiss' } = {}): Promise<Page> {
    const context = await this.#chromium.newContext({ ignoreHTTPSErrors: true, viewport: options.viewport ?? this.#viewport, ...(options.acceptDownloads ? { acceptDownloads: true } : {}) })
    this.#contexts.push(context)
    const [name, value] = cookie.split('=') as [string, string]
    await context.addCookies([{ name, value, url: this.#url, secure: true, httpOnly: true, sameSite: 'Strict' }])
    const page = await context.newPage()
    page.on('pageerror', (e) => this.errors.push(e.message))
    page.on('dialog', (dialog) => {
      if (options.dialogs !== 'dismiss') this.errors.push(`dialog: ${dialog.message()}`)
      void dialog.dismiss()
    })
    return page
  }

  /** Closes every context, then the browser. */
  async close(): Promise<void> {
    for (const context of this.#contexts.splice(0)) await context.close()
    await this.#chromium.close()
  }
}

/** A node's id by its hostname. */
export async function nodeIdOf(dc: DashboardCollector, hostname: string): Promise<string> {
  const node = (await dc.collector.store.listNodes()).find((n) => n.hostname === hostname)
  if (!node) throw new Error(`no node named ${hostname}`)
  return node.id
}

/** A KPI tile of the fleet or a node page, by its label. */
export function kpiTile(page: Page, label: string) {
  return page.locator('.kpi', { has: page.locator('.kpi-label', { hasText: new RegExp(`^${label}$`) }) })
}
