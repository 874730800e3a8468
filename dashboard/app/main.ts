import { ApiError, createApi } from './api.js'
import type { AppContext, Page, PageFactory } from './context.js'
import { h, mount } from './dom.js'
import { focusedSelector, restoreFocus } from './focus.js'
import { connectLive, debounce } from './live.js'
import { matchRoute, type Route } from './router.js'
import type { Permission, SessionInfo } from './session-types.js'
import { loginPage } from './pages/login.js'
import { fleetPage } from './pages/fleet.js'
import { nodePage } from './pages/node.js'
import { findingsPage } from './pages/findings.js'
import { rulesPage, rulePage } from './pages/rules.js'
import { compliancePage } from './pages/compliance.js'
import { evidencePage } from './pages/evidence.js'
import { waiversPage } from './pages/waivers.js'
import { webhooksPage } from './pages/webhooks.js'
import { webhookDeliveriesPage } from './pages/webhook-deliveries.js'
import { schedulePage, schedulesPage } from './pages/schedules.js'
import { sshNodesPage } from './pages/ssh-nodes.js'
import { usersPage } from './pages/users.js'
import { tokensPage } from './pages/tokens.js'
import { auditPage } from './pages/audit.js'
import { accountPage } from './pages/account.js'

/** Boots the dashboard: who is signed in, the shell, the route table, live updates. */
interface NavItem {
  href: string
  label: string
  permission: Permission
}

const routes: Route<PageFactory>[] = [
  { pattern: '/', target: fleetPage },
  { pattern: '/nodes/:id', target: nodePage },
  { pattern: '/findings', target: findingsPage },
  { pattern: '/rules', target: rulesPage },
  { pattern: '/rules/:id', target: rulePage },
  { pattern: '/compliance', target: compliancePage },
  { pattern: '/evidence', target: evidencePage },
  { pattern: '/waivers', target: waiversPage },
  { pattern: '/webhooks', target: webhooksPage },
  { pattern: '/webhooks/:id', target: webhookDeliveriesPage },
  { pattern: '/schedules', target: schedulesPage },
  { pattern: '/schedules/:name', target: schedulePage },
  { pattern: '/ssh-nodes', target: sshNodesPage },
  { pattern: '/users', target: usersPage },
  { pattern: '/tokens', target: tokensPage },
  { pattern: '/audit', target: auditPage },
  { pattern: '/account', target: accountPage },
]

const nav: NavItem[] = [
  { href: '#/', label: 'Fleet', permission: 'fleet.read' },
  { href: '#/findings', label: 'Findings', permission: 'fleet.read' },
  { href: '#/rules', label: 'Rules', permission: 'fleet.read' },
  { href: '#/compliance', label: 'Compliance', permission: 'fleet.read' },
  { href: '#/evidence', label: 'Evidence', permission: 'fleet.read' },
  { href: '#/waivers', label: 'Waivers', permission: 'fleet.read' },
  { href: '#/webhooks', label: 'Webhooks', permission: 'fleet.read' },
  { href: '#/schedules', label: 'Schedules', permission: 'fleet.read' },
  { href: '#/ssh-nodes', label: 'SSH nodes', permission: 'fleet.read' },
  { href: '#/users', label: 'Users', permission: 'users.manage' },
  { href: '#/tokens', label: 'API tokens', permission: 'tokens.manage' },
  { href: '#/audit', label: 'Audit log', permission: 'audit.read' },
]

const root = document.getElementById('app')!
const api = createApi(() => void signIn())
let stopLive: (() => void) | null = null

void boot()

async function boot(): Promise<void> {
  let session: SessionInfo
  try {
    session = await api.get<SessionInfo>('/api/session')
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return signIn()
    return fatal(err)
  }
  api.setCsrfToken(session.csrfToken)
  start(session)
}

async function signIn(): Promise<void> {
  stopLive?.()
  stopLive = null
  api.setCsrfToken(null)
  document.title = 'Sign in · Posture'
  mount(root, await loginPage(api, () => void boot()))
}

function fatal(err: unknown): void {
  mount(root, h('main', { class: 'page narrow' }, h('h1', null, 'The collector did not answer'), h('p', null, err instanceof Error ? err.message : String(err))))
}

function start(session: SessionInfo): void {
  const toasts = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' })
  const main = h('main', { id: 'main', class: 'page', tabindex: -1 })
  const liveDot = h('span', { class: 'live-dot', title: 'live updates: connecting' }, 'live')
  const setup = session.user.mustChangePassword || (session.totpRequired && !session.user.totpEnabled)
  const ctx: AppContext = {
    api,
    session,
    can: (p) => session.permissions.includes(p),
    navigate: (hash) => {
      if (location.hash === hash) void render()
      else location.hash = hash
    },
    notify(message, kind = 'info') {
      const toast = h('div', { class: `toast toast-${kind}` }, message)
      toasts.append(toast)
      setTimeout(() => toast.remove(), 6000)
    },
    now: () => Date.now(),
  }
  const signOut = async () => {
    await api.send('POST', '/api/auth/logout').catch(() => undefined)
    location.hash = '#/'
    await signIn()
  }
  const links = setup ? [] : nav.filter((item) => ctx.can(item.permission)).map((item) => h('a', { href: item.href, 'data-nav': item.href }, item.label))
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'skip', href: '#main', onclick: (e) => (e.preventDefault(), main.focus()) }, 'Skip to content'),
    h('a', { class: 'brand', href: '#/' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Posture'),
    h('nav', { class: 'nav', 'aria-label': 'Main' }, links),
    h(
      'div',
      { class: 'user' },
      liveDot,
      h('a', { href: '#/account', class: 'user-name', title: 'your account' }, session.user.username, h('span', { class: 'role' }, session.user.role)),
      h('button', { type: 'button', class: 'link-button', onclick: () => void signOut() }, 'Sign out'),
    ),
  )
  mount(root, header, main, toasts)

  let current: Page | null = null
  let rendering = 0
  async function render(): Promise<void> {
    const ticket = ++rendering
    const match = setup ? { target: accountPage, params: {}, query: new URLSearchParams() } : matchRoute(routes, location.hash)
    header.querySelectorAll('[data-nav]').forEach((a) => a.toggleAttribute('aria-current', isCurrent(a.getAttribute('data-nav') ?? '')))
    if (!match) {
      mount(main, h('h1', null, 'Not found'), h('p', null, h('a', { href: '#/' }, 'Back to the fleet')))
      return
    }
    main.setAttribute('aria-busy', 'true')
    try {
      const page = await match.target(ctx, match.params, match.query)
      if (ticket !== rendering) return
      current = page
      document.title = `${page.title} · Posture`
      const focus = focusedSelector(main)
      mount(main, page.element)
      restoreFocus(main, focus, main)
    } catch (err) {
      if (ticket !== rendering) return
      current = null
      mount(main, h('h1', null, 'Cannot show this page'), h('p', { class: 'error' }, err instanceof Error ? err.message : String(err)))
    } finally {
      main.removeAttribute('aria-busy')
    }
  }
  window.onhashchange = () => void render()
  void render()

  const refresh = debounce(() => {
    const focus = focusedSelector(main)
    void current?.refresh?.().then(() => restoreFocus(main, focus, main)).catch((err: unknown) => ctx.notify(`Refresh failed: ${err instanceof Error ? err.message : String(err)}`, 'error'))
  }, 300)
  stopLive?.()
  stopLive = null
  if (setup) return
  stopLive = connectLive(
    () => refresh(),
    (connected) => {
      liveDot.classList.toggle('on', connected)
      liveDot.title = connected ? 'live updates: connected' : 'live updates: reconnecting'
    },
  )
}

function isCurrent(href: string): boolean {
  const hash = location.hash || '#/'
  if (href === '#/') return hash === '#/' || hash.startsWith('#/nodes/')
  return hash === href || hash.startsWith(`${href}/`) || hash.startsWith(`${href}?`)
}

