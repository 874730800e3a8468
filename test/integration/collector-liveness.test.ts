import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import { openAgentStream } from '../../agent/agent-transport.js'
import type { Collector } from '../../collector/build-collector.js'
import { loadRuleSet, type RuleSet } from '../../rules/load-rules.js'
import { apiToken, captureLog, fakeReport, joinAgent, startCollector } from './collector-fixtures.js'

let ruleSet: RuleSet
let dir: string
let collector: Collector
let ws: WebSocket | undefined
let logs: ReturnType<typeof captureLog>

beforeAll(() => {
  ruleSet = loadRuleSet()
})
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posture-liveness-'))
  logs = captureLog()
  // Heartbeat (and so the liveness sweep) every 100 ms; offline after 2 missed scan intervals.
  collector = await startCollector(join(dir, 'data'), { agents: { heartbeatMs: 100, missedIntervalsOffline: 2 } }, logs.log)
})
afterEach(async () => {
  if (ws && ws.readyState === ws.OPEN) ws.terminate()
  await collector.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('silent agents', () => {
  it('marks a node offline when its connected agent stops reporting for the missed intervals, and says so in the API', async () => {
    const state = await joinAgent(collector, join(dir, 'a'))
    ws = await openAgentStream(state.collectorUrl, state.fingerprint, state.credential, 1 << 24)
    await once(ws, 'open')
    // An agent that promises a scan every 150 ms, reports once, then goes quiet (but answers pings).
    ws.send(JSON.stringify({ v: 1, type: 'hello', agentVersion: '0.0.1', hostname: 'quiet', rulesVersion: ruleSet.version, intervalMs: 150, spool: { pending: 0, dropped: 0 } }))
    const { schema: _s, ...report } = await fakeReport(ruleSet, { hostname: 'quiet' }, new Date())
    const stored = once(collector.events, 'report')
    // Listening before the report is sent: on a loaded machine the sweep may mark the node
    // offline (300 ms after the report's finish time) before the report event reaches us.
    const wentOffline = once(collector.events, 'node-offline')
    ws.send(JSON.stringify({ v: 1, type: 'report', seq: 0, ...report }))
    const [{ nodeId }] = (await stored) as [{ nodeId: string }]
    const offline = (await wentOffline) as [{ nodeId: string }]
    expect(offline[0].nodeId).toBe(nodeId)

    const token = await apiToken(collector, 'auditor')
    const nodes = (await collector.app.inject({ url: '/api/nodes', headers: { authorization: `Bearer ${token}` } })).json() as { nodes: { online: boolean; offlineSince: string | null; agentVersion: string; agentOutdated: boolean }[] }
    expect(nodes.nodes[0]).toMatchObject({ online: false, agentVersion: '0.0.1', agentOutdated: true })
    expect(nodes.nodes[0]?.offlineSince).not.toBeNull()
    expect(logs.lines().some((l) => l.msg === 'node went silent' && l.nodeId === nodeId)).toBe(true)
  })
})
