import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Agent } from '../../agent/agent-runtime.js'
import type { Collector } from '../../collector/build-collector.js'
import { eventCount, fakeAgent, joinAgent, startCollector } from './collector-fixtures.js'

let dir: string
let collector: Collector
let agent: Agent | undefined

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-rescore-'))
})
afterEach(async () => {
  await agent?.stop()
  await collector.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('re-scoring stored facts', () => {
  it('re-scores a node when a waiver or a rule changes, without a new scan, and pushes the rule pack to the agent', async () => {
    const rulesDir = join(dir, 'rules')
    mkdirSync(rulesDir)
    collector = await startCollector(join(dir, 'data'), { rulesDirs: [rulesDir] })
    const stateDir = join(dir, 'agent')
    agent = fakeAgent(stateDir, await joinAgent(collector, stateDir), { hostname: 'drifting', synchronized: false })
    const acked = eventCount(agent, 'acked', 1)
    agent.start()
    await acked
    const [node] = await collector.store.listNodes()
    expect(node).toMatchObject({ score: 25, grade: 'F' })

    // A waiver for the failing rule: waived findings leave the score; the fail is kept apart.
    const rescored = await collector.putWaiver({
      id: 'w-ntp', rule: 'system.time-synced', justification: 'NTP appliance replaced next week', approver: 'ops-lead',
      created: '2026-03-01T00:00:00Z', expires: '2099-01-01T00:00:00Z',
    })
    expect(rescored).toBe(1)
    expect(await collector.store.getNode(node!.id)).toMatchObject({ score: 100, grade: 'A' })
    const report = await collector.store.latestReport(node!.id)
    expect(report?.findings.find((f) => f.rule === 'system.time-synced')).toMatchObject({ status: 'waived', waiver: { id: 'w-ntp', waivedStatus: 'fail' } })
    expect(report?.score.scoreWithoutWaivers).toBe(25)

    expect(await collector.removeWaiver('w-ntp')).toBe(1)
    expect((await collector.store.getNode(node!.id))?.score).toBe(25)

    // A rule pack that makes the passing rule critical: 100 × 10 / (10 + 3) = 76.9.
    writeFileSync(join(rulesDir, 'site.yaml'), '- override: system.time-sync-enabled\n  severity: critical\n')
    const pushed = eventCount(agent, 'rules', 1)
    const reload = await collector.reloadRules()
    expect(reload).toMatchObject({ changed: true, rescored: 1 })
    expect(await collector.store.getNode(node!.id)).toMatchObject({ score: 76.9, grade: 'C' })
    expect(await pushed).toEqual([{ version: expect.any(String), ok: true }])

    const history = await collector.store.nodeHistory(node!.id, 10)
    expect(history.map((h) => h.kind)).toEqual(['rescore', 'rescore', 'rescore', 'scan'])
    expect((collector.store.db.prepare("SELECT count(*) AS n FROM scans WHERE kind = 'scan'").get() as { n: number }).n).toBe(1)
  })
})
