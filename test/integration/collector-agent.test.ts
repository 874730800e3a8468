import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Agent } from '../../agent/agent-runtime.js'
import type { Collector } from '../../collector/build-collector.js'
import { apiToken, eventCount, fakeAgent, joinAgent, startCollector } from './collector-fixtures.js'

let dir: string
let collectors: Collector[]
let agents: Agent[]

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-collector-'))
  collectors = []
  agents = []
})
afterEach(async () => {
  for (const a of agents) await a.stop()
  for (const c of collectors) await c.close()
  rmSync(dir, { recursive: true, force: true })
})

async function collectorOn(dataDir: string, overrides = {}) {
  const c = await startCollector(dataDir, overrides)
  collectors.push(c)
  return c
}

describe('collector and agents', () => {
  it('joins an agent over pinned TLS, stores and scores its report, and serves it on the API', async () => {
    const collector = await collectorOn(join(dir, 'data'))
    const stateDir = join(dir, 'agent')
    const state = await joinAgent(collector, stateDir, { env: 'prod', rack: 'r12' })
    expect(statSync(join(stateDir, 'agent.json')).mode & 0o777).toBe(0o600)
    expect(state.fingerprint).toBe(collector.tls?.fingerprint)

    const agent = fakeAgent(stateDir, state, { hostname: 'web-1', synchronized: false })
    agents.push(agent)
    const acked = eventCount(agent, 'acked', 1)
    agent.start()
    const [ack] = (await acked) as { scanId: string; duplicate: boolean }[]
    expect(ack?.duplicate).toBe(false)
    expect(agent.spool.pending).toBe(0)

    const token = await apiToken(collector, 'auditor')
    const auth = { authorization: `Bearer ${token}` }
    const nodes = (await collector.app.inject({ url: '/api/nodes', headers: auth })).json() as { nodes: Record<string, unknown>[] }
    expect(nodes.nodes).toHaveLength(1)
    // system.time-synced (medium, 3) fails, system.time-sync-enabled (low, 1) passes: 100 × 1/4 = 25.
    expect(nodes.nodes[0]).toMatchObject({ hostname: 'web-1', labels: { env: 'prod', rack: 'r12' }, score: 25, grade: 'F', coverage: 1, online: true, agentVersion: '0.1.0', agentOutdated: false })
    const id = nodes.nodes[0]!.id as string
    const report = (await collector.app.inject({ url: `/api/nodes/${id}`, headers: auth })).json() as { report: { scanId: string; schema: string } }
    expect(report.report).toMatchObject({ scanId: ack!.scanId, schema: 'posture.report/v1' })
    const failing = (await collector.app.inject({ url: `/api/nodes/${id}/findings?status=fail`, headers: auth })).json() as { findings: { rule: string; lifecycle: { failingSince: string } }[] }
    expect(failing.findings.map((f) => f.rule)).toEqual(['system.time-synced'])
    expect(failing.findings[0]?.lifecycle.failingSince).toBeTruthy()
    const fleet = (await collector.app.inject({ url: '/api/fleet', headers: auth })).json() as Record<string, unknown>
    expect(fleet).toMatchObject({ nodes: 1, online: 1, score: 25, grades: { F: 1 }, domains: { system: { score: 25, nodes: 1 } } })
    const findings = (await collector.app.inject({ url: '/api/findings?severity=medium', headers: auth })).json() as { findings: { rule: string; failingSince: string | null; node: { hostname: string } }[] }
    expect(findings.findings.map((f) => [f.node.hostname, f.rule, typeof f.failingSince])).toEqual([['web-1', 'system.time-synced', 'string']])
    const history = (await collector.app.inject({ url: `/api/nodes/${id}/history`, headers: auth })).json() as { scans: unknown[] }
    expect(history.scans).toHaveLength(1)

    // On-demand scan: the collector asks, the agent scans with that scanId and reports it.
    const operator = { authorization: `Bearer ${await apiToken(collector, 'operator')}` }
    expect((await collector.app.inject({ method: 'POST', url: `/api/nodes/${id}/scan`, headers: auth })).statusCode).toBe(403)
    const requested = eventCount(agent, 'acked', 1)
    const scan = await collector.app.inject({ method: 'POST', url: `/api/nodes/${id}/scan`, headers: operator })
    expect(scan.statusCode).toBe(202)
    const [second] = (await requested) as { scanId: string }[]
    expect(second?.scanId).toBe((scan.json() as { scanId: string }).scanId)
  })

  it('serves a placeholder page at / (without the dashboard) that escapes agent-supplied hostnames', async () => {
    const collector = await collectorOn(join(dir, 'data'))
    const stateDir = join(dir, 'agent')
    const agent = fakeAgent(stateDir, await joinAgent(collector, stateDir), { hostname: '<b>evil</b>' })
    agents.push(agent)
    const acked = eventCount(agent, 'acked', 1)
    agent.start()
    await acked
    const page = await collector.app.inject({ url: '/', remoteAddress: '127.0.0.1' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('&lt;b&gt;evil&lt;/b&gt;')
    expect(page.body).not.toContain('<b>evil</b>')
    expect(page.body).not.toMatch(/<script|style=/)
    const remote = await collector.app.inject({ url: '/', remoteAddress: '203.0.113.9' })
    expect(remote.body).not.toContain('evil')
  })

  it('answers 401 without a token and 400 on an unknown filter', async () => {
    const collector = await collectorOn(join(dir, 'data'))
    const response = await collector.app.inject({ url: '/api/nodes' })
    expect(response.statusCode).toBe(401)
    expect((response.json() as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED')
    const token = await apiToken(collector)
    const bad = await collector.app.inject({ url: '/api/findings?colour=red', headers: { authorization: `Bearer ${token}` } })
    expect(bad.statusCode).toBe(400)
    expect(response.headers['content-security-policy']).toContain("default-src 'self'")
    expect(response.headers['strict-transport-security']).toContain('max-age=')
    expect(response.headers['x-frame-options']).toBe('DENY')
  })
})
