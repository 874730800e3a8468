import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { can, type Permission } from '../../collector/auth/permissions.js'
import { createApiToken, createUserWithOneTimePassword } from '../../collector/collector-admin.js'
import { roles, type Role } from '../../collector/store/store.js'
import { call, completeSetup, startDashboardCollector, type Browser, type DashboardCollector } from '../e2e/dashboard-fixture.js'
import { seedHistory } from '../e2e/fleet.js'

/**
 * Every API endpoint, for every role (API tokens of each role, a browser session of
 * each role, and nobody): allowed exactly when the role holds the endpoint's permission
 * (collector/auth/permissions.ts), refused with 403 FORBIDDEN otherwise, 401 without
 * credentials. The API enforces roles; the dashboard only hides what would be refused.
 */
interface Endpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  url: () => string
  body?: () => unknown
  permission: Permission | 'session'
}

let dc: DashboardCollector
let nodeId = ''
let targetUserId = 0
let targetTokenId = ''
let counter = 0
const tokens = {} as Record<Role, string>
const sessions = {} as Record<Role, Browser>

const endpoints: Endpoint[] = [
  { method: 'GET', url: () => '/api/nodes', permission: 'fleet.read' },
  { method: 'GET', url: () => `/api/nodes/${nodeId}`, permission: 'fleet.read' },
  { method: 'GET', url: () => `/api/nodes/${nodeId}/findings`, permission: 'fleet.read' },
  { method: 'GET', url: () => `/api/nodes/${nodeId}/history`, permission: 'fleet.read' },
  { method: 'POST', url: () => `/api/nodes/${nodeId}/scan`, body: () => ({}), permission: 'scan.request' },
  { method: 'GET', url: () => '/api/fleet', permission: 'fleet.read' },
  { method: 'GET', url: () => '/api/findings?status=fail', permission: 'fleet.read' },
  { method: 'GET', url: () => '/api/overview?days=90', permission: 'fleet.read' },
  { method: 'GET', url: () => '/api/explorer?status=fail&sort=sla', permission: 'fleet.read' },
  { method: 'GET', url: () => '/api/explorer.csv?label=env%3Dprod', permission: 'findings.export' },
  { method: 'GET', url: () => '/api/rules', permission: 'fleet.read' },
  { method: 'GET', url: () => '/api/compliance?framework=pci-dss-4', permission: 'fleet.read' },
  { method: 'GET', url: () => '/api/agents', permission: 'tokens.manage' },
  { method: 'POST', url: () => '/api/agents/unknownagent1/revoke', body: () => ({}), permission: 'tokens.manage' },
  { method: 'GET', url: () => '/api/users', permission: 'users.manage' },
  { method: 'POST', url: () => '/api/users', body: () => ({ username: `new-user-${++counter}`, role: 'auditor' }), permission: 'users.manage' },
  { method: 'PATCH', url: () => `/api/users/${targetUserId}`, body: () => ({ role: 'operator' }), permission: 'users.manage' },
  { method: 'POST', url: () => `/api/users/${targetUserId}/reset-password`, permission: 'users.manage' },
  { method: 'GET', url: () => '/api/tokens', permission: 'tokens.manage' },
  { method: 'POST', url: () => '/api/tokens', body: () => ({ name: `t${++counter}`, role: 'auditor' }), permission: 'tokens.manage' },
  { method: 'DELETE', url: () => `/api/tokens/${targetTokenId}`, permission: 'tokens.manage' },
  { method: 'GET', url: () => '/api/audit', permission: 'audit.read' },
  { method: 'GET', url: () => '/api/audit/verify', permission: 'audit.read' },
  { method: 'GET', url: () => '/api/audit.csv', permission: 'audit.read' },
  { method: 'GET', url: () => '/api/session', permission: 'session' },
  { method: 'POST', url: () => '/api/auth/totp/start', permission: 'session' },
  { method: 'POST', url: () => '/api/auth/password', body: () => ({ current: 'x', next: 'y' }), permission: 'session' },
]

beforeAll(async () => {
  dc = await startDashboardCollector()
  await seedHistory(dc.collector, [{ hostname: 'web-01', kind: 'system', labels: { env: 'prod' } }], 2)
  nodeId = (await dc.collector.store.listNodes())[0]!.id
  for (const role of roles) tokens[role] = (await createApiToken(dc.collector.store, role, `test-${role}`, new Date())).token
  for (const role of roles) {
    const { password } = await createUserWithOneTimePassword(dc.collector.store, `${role}-user`, role, new Date())
    sessions[role] = (await completeSetup(dc, `${role}-user`, password, `${role} passphrase for tests`)).browser
  }
  const target = await createUserWithOneTimePassword(dc.collector.store, 'target', 'auditor', new Date())
  expect(target.password).toHaveLength(20)
  targetUserId = (await dc.collector.store.findUser('target'))!.id
  targetTokenId = (await createApiToken(dc.collector.store, 'auditor', 'target', new Date())).id
}, 120_000)

afterAll(async () => {
  await dc?.close()
})

/** Allowed: the request got past the access check (it may still fail on its own merits, e.g. a wrong current password). */
function expectAllowed(status: number, body: string, what: string): void {
  const code = status >= 400 ? (JSON.parse(body) as { error: { code: string } }).error.code : null
  expect({ what, refused: ['UNAUTHENTICATED', 'FORBIDDEN', 'CSRF', 'SETUP_REQUIRED'].includes(code ?? '') }).toEqual({ what, refused: false })
  expect(status, `${what}: ${body}`).toBeLessThan(500)
}

/** The endpoint as a route pattern, for test names (ids are filled in later). */
function label(e: Endpoint): string {
  return `${e.method} ${e.url().replace('/nodes/', '/nodes/:id').replace(/\/users\/0/, '/users/:id').replace(/\/tokens\/$/, '/tokens/:id')}`
}

describe('API roles', () => {
  it.each(endpoints.map((e) => [label(e), e] as const))('%s: API tokens of each role', async (_name, endpoint) => {
    for (const role of roles) {
      const response = await dc.collector.app.inject({
        method: endpoint.method,
        url: endpoint.url(),
        headers: { authorization: `Bearer ${tokens[role]}`, ...(endpoint.body ? { 'content-type': 'application/json' } : {}) },
        ...(endpoint.body ? { payload: JSON.stringify(endpoint.body()) } : {}),
      })
      const what = `${role} token ${endpoint.method} ${endpoint.url()}`
      if (endpoint.permission === 'session') {
        expect({ what, status: response.statusCode, code: response.json().error.code }).toEqual({ what, status: 403, code: 'FORBIDDEN' })
      } else if (can(role, endpoint.permission)) {
        expectAllowed(response.statusCode, response.body, what)
      } else {
        expect({ what, status: response.statusCode, code: response.json().error.code }).toEqual({ what, status: 403, code: 'FORBIDDEN' })
      }
    }
  })

  it.each(endpoints.map((e) => [label(e), e] as const))('%s: browser sessions of each role', async (_name, endpoint) => {
    for (const role of roles) {
      const response = await call(dc.collector.app, sessions[role], endpoint.method, endpoint.url(), endpoint.body?.())
      const what = `${role} session ${endpoint.method} ${endpoint.url()}`
      if (endpoint.permission === 'session' || can(role, endpoint.permission)) expectAllowed(response.statusCode, response.body, what)
      else expect({ what, status: response.statusCode, code: response.json().error.code }).toEqual({ what, status: 403, code: 'FORBIDDEN' })
    }
  })

  it.each(endpoints.map((e) => [label(e), e] as const))('%s: nobody gets 401', async (_name, endpoint) => {
    const response = await call(dc.collector.app, null, endpoint.method, endpoint.url(), endpoint.body?.())
    expect(response.statusCode).toBe(401)
    expect(response.json().error.code).toBe('UNAUTHENTICATED')
  })

  it('refuses a revoked or forged token, and live events without credentials', async () => {
    const { id, token } = await createApiToken(dc.collector.store, 'admin', 'short-lived', new Date())
    const revoke = await dc.collector.app.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: { authorization: `Bearer ${tokens.admin}` } })
    expect(revoke.statusCode).toBe(200)
    for (const bearer of [token, `${token.slice(0, -2)}xx`, 'pt1.nope']) {
      const response = await dc.collector.app.inject({ method: 'GET', url: '/api/nodes', headers: { authorization: `Bearer ${bearer}` } })
      expect(response.statusCode).toBe(401)
    }
    expect((await dc.collector.app.inject({ method: 'GET', url: '/api/events' })).statusCode).toBe(401)
  })
})
