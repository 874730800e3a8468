import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hostKeyId } from '../../agent/host/known-hosts.js'
import { createAlerts } from '../../collector/alerts/alerts-plugin.js'
import { createEvidence } from '../../collector/evidence/evidence-plugin.js'
import { createSchedules } from '../../collector/schedule/schedules-plugin.js'
import { SqliteSshNodes } from '../../collector/ssh/sqlite-ssh-nodes.js'
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
 * The collector carries every plugin users get (schedules and SSH nodes, evidence,
 * waivers and exports, alerts), so their endpoints are in the matrix too.
 */
interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: () => string
  body?: () => unknown
  permission: Permission | 'session'
}

let dc: DashboardCollector
let nodeId = ''
let targetUserId = 0
let targetTokenId = ''
let counter = 0
let keptWebhookId = 0
let doomedWebhookId = 0
const unknownJob = '00000000-0000-4000-8000-000000000000'
const changedKey = 'SHA256:NewKeyNewKeyNewKeyNewKeyNewKeyNewKeyNewKey1'
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString()
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
  // Webhooks (collector/alerts/alert-routes.ts).
  { method: 'GET', url: () => '/api/webhooks', permission: 'fleet.read' },
  { method: 'POST', url: () => '/api/webhooks', body: () => ({ name: `hook-${++counter}`, url: 'http://127.0.0.1:9/hook' }), permission: 'alerts.manage' },
  { method: 'POST', url: () => `/api/webhooks/${keptWebhookId}/test`, permission: 'alerts.manage' },
  { method: 'GET', url: () => `/api/webhooks/${keptWebhookId}/deliveries`, permission: 'fleet.read' },
  { method: 'DELETE', url: () => `/api/webhooks/${doomedWebhookId}`, permission: 'alerts.manage' },
  // Evidence exports, frameworks, waivers (collector/evidence/, collector/waivers/).
  { method: 'POST', url: () => '/api/exports', body: () => ({ framework: 'soc2', from: day(-7), to: day(0) }), permission: 'findings.export' },
  { method: 'GET', url: () => '/api/exports', permission: 'findings.export' },
  { method: 'GET', url: () => `/api/exports/${unknownJob}`, permission: 'findings.export' },
  { method: 'GET', url: () => `/api/exports/${unknownJob}/archive`, permission: 'findings.export' },
  { method: 'GET', url: () => '/api/frameworks', permission: 'fleet.read' },
  { method: 'GET', url: () => '/api/frameworks/soc2', permission: 'fleet.read' },
  { method: 'GET', url: () => '/api/signing-key', permission: 'fleet.read' },
  { method: 'GET', url: () => '/api/waivers', permission: 'fleet.read' },
  { method: 'POST', url: () => '/api/waivers', body: () => ({ rule: 'system.time-synced', node: nodeId, justification: 'accepted for the role matrix test', approver: 'CISO', expires: day(30).slice(0, 10) }), permission: 'waivers.write' },
  { method: 'DELETE', url: () => '/api/waivers/w-000000000000', permission: 'waivers.write' },
  // Schedules and SSH nodes (collector/schedule/, collector/ssh/).
  { method: 'GET', url: () => '/api/schedules', permission: 'fleet.read' },
  { method: 'POST', url: () => '/api/schedules', body: () => ({ name: `added-${++counter}`, cron: '0 3 1 1 *', mode: 'agent' }), permission: 'schedules.write' },
  { method: 'GET', url: () => '/api/schedules/kept', permission: 'fleet.read' },
  { method: 'PUT', url: () => '/api/schedules/kept', body: () => ({ cron: `0 ${++counter % 24} 1 1 *`, mode: 'agent' }), permission: 'schedules.write' },
  { method: 'PATCH', url: () => '/api/schedules/kept', body: () => ({ enabled: false }), permission: 'schedules.write' },
  { method: 'GET', url: () => '/api/schedules/kept/runs', permission: 'fleet.read' },
  { method: 'POST', url: () => '/api/schedules/kept/run', permission: 'scan.request' },
  { method: 'DELETE', url: () => '/api/schedules/doomed', permission: 'schedules.write' },
  { method: 'GET', url: () => '/api/ssh-nodes', permission: 'fleet.read' },
  { method: 'POST', url: () => '/api/ssh-nodes', body: () => ({ name: `ssh-${++counter}`, address: 'audit@192.0.2.20', key: 'agent' }), permission: 'schedules.write' },
  { method: 'GET', url: () => '/api/ssh-nodes/bastion', permission: 'fleet.read' },
  { method: 'POST', url: () => '/api/ssh-nodes/bastion/trust', body: () => ({ fingerprint: changedKey }), permission: 'hostkeys.trust' },
  { method: 'DELETE', url: () => '/api/ssh-nodes/doomed', permission: 'schedules.write' },
  { method: 'GET', url: () => '/api/session', permission: 'session' },
  { method: 'POST', url: () => '/api/auth/totp/start', permission: 'session' },
  { method: 'POST', url: () => '/api/auth/password', body: () => ({ current: 'x', next: 'y' }), permission: 'session' },
]

beforeAll(async () => {
  dc = await startDashboardCollector({}, { schedules: { agentReportTimeoutMs: 2_000 }, alerts: { sweepMs: 3_600_000 } }, [createSchedules({ env: {} }).plugin, createEvidence({ watchEveryMs: 3_600_000 }), createAlerts().plugin])
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
  const admin = { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' }
  const setUp = async (url: string, body: unknown) => {
    const response = await dc.collector.app.inject({ method: 'POST', url, headers: admin, payload: JSON.stringify(body) })
    expect(response.statusCode, response.body).toBe(201)
    return response.json()
  }
  keptWebhookId = (await setUp('/api/webhooks', { name: 'kept', url: 'http://127.0.0.1:9/kept' })).webhook.id
  doomedWebhookId = (await setUp('/api/webhooks', { name: 'doomed', url: 'http://127.0.0.1:9/doomed' })).webhook.id
  for (const name of ['kept', 'doomed']) await setUp('/api/schedules', { name, cron: '0 3 1 1 *', mode: 'agent', enabled: false })
  for (const name of ['bastion', 'doomed']) await setUp('/api/ssh-nodes', { name, address: `audit@192.0.2.${name === 'bastion' ? 10 : 11}`, key: 'agent' })
  // bastion's host key changed since it was pinned: the key an admin may pin.
  const pins = new SqliteSshNodes(dc.collector.store.db).pins(() => new Date())
  await pins.pin(hostKeyId('192.0.2.10', 22), { keyType: 'ssh-ed25519', fingerprint: 'SHA256:OldKeyOldKeyOldKeyOldKeyOldKeyOldKeyOldKey0', firstSeen: day(-40) })
  await new SqliteSshNodes(dc.collector.store.db).recordRefused(hostKeyId('192.0.2.10', 22), { keyType: 'ssh-ed25519', fingerprint: changedKey }, new Date())
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

  it('answers the allowed roles with 2xx on the webhook, export, schedule edit and re-pin endpoints, and admins alone list every owner’s exports', async () => {
    const status = async (role: Role, method: Endpoint['method'], url: string, body?: unknown) => (await call(dc.collector.app, sessions[role], method, url, body)).statusCode
    for (const role of ['admin', 'operator'] as const) {
      const added = await call(dc.collector.app, sessions[role], 'POST', '/api/webhooks', { name: `${role}-hook`, url: 'http://127.0.0.1:9/hook' })
      expect(added.statusCode, added.body).toBe(201)
      const id = (added.json() as { webhook: { id: number } }).webhook.id
      expect(await status(role, 'POST', `/api/webhooks/${id}/test`)).toBe(202)
      expect(await status(role, 'DELETE', `/api/webhooks/${id}`)).toBe(200)
      expect(await status(role, 'PUT', '/api/schedules/kept', { cron: '0 4 1 1 *', mode: 'agent' })).toBe(200)
    }
    for (const role of roles) {
      expect({ role, status: await status(role, 'GET', `/api/webhooks/${keptWebhookId}/deliveries`) }).toEqual({ role, status: 200 })
      expect({ role, status: await status(role, 'POST', '/api/exports', { framework: 'soc2', from: day(-7), to: day(0) }) }).toEqual({ role, status: 202 })
      expect({ role, status: await status(role, 'GET', '/api/exports') }).toEqual({ role, status: 200 })
      expect({ role, status: await status(role, 'GET', '/api/exports?everyone=true') }).toEqual({ role, status: role === 'admin' ? 200 : 403 })
    }
    // A changed key again for bastion: operators and auditors are refused, the admin pins it.
    await new SqliteSshNodes(dc.collector.store.db).recordRefused(hostKeyId('192.0.2.10', 22), { keyType: 'ssh-ed25519', fingerprint: 'SHA256:ThirdKeyThirdKeyThirdKeyThirdKeyThirdKey000' }, new Date())
    for (const role of ['operator', 'auditor'] as const) expect(await status(role, 'POST', '/api/ssh-nodes/bastion/trust', { fingerprint: 'SHA256:ThirdKeyThirdKeyThirdKeyThirdKeyThirdKey000' })).toBe(403)
    const pinned = await call(dc.collector.app, sessions.admin, 'POST', '/api/ssh-nodes/bastion/trust', { fingerprint: 'SHA256:ThirdKeyThirdKeyThirdKeyThirdKeyThirdKey000' })
    expect(pinned.statusCode, pinned.body).toBe(200)
  }, 60_000)

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
