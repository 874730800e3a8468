import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEvidence } from '../../collector/evidence/evidence-plugin.js'
import { hasChromium, screenshot } from './browser.js'
import { call, kpiTile, nodeIdOf, SignedInPages, signInRoles, startDashboardCollector, type Account, type DashboardCollector } from './dashboard-fixture.js'
import { startFleet, type FleetNode, type RunningNode } from './fleet.js'

/**
 * A re-score refreshes open pages, as a report does: with the fleet overview and a node
 * page open in real headless Chromium, an operator adds a waiver through the API; the
 * collector re-scores the stored facts (a `rescore` event, no new report) and both pages
 * show the new score and the waived finding without a reload. Removing the waiver brings
 * the failure back the same way.
 */
const nodes: FleetNode[] = [
  { hostname: 'db-01', kind: 'system', synchronized: false, labels: { env: 'prod' } },
  { hostname: 'web-01', kind: 'system', labels: { env: 'prod' } },
]

let dc: DashboardCollector
let fleet: { running: RunningNode[]; stop(): Promise<void> }
let pages: SignedInPages
let operator: Account

describe.skipIf(!hasChromium)('live refresh on re-scoring, in headless Chromium', () => {
  beforeAll(async () => {
    // The waiver watch polls rarely: the API's own change notice must be what re-scores.
    dc = await startDashboardCollector({}, {}, [createEvidence({ watchEveryMs: 3_600_000 })])
    fleet = await startFleet(dc.collector, nodes)
    operator = (await signInRoles(dc, 'keeper of the whole fleet 2026', { operator: { username: 'olga', password: 'operator uses a long passphrase' }, auditor: { username: 'audrey', password: 'auditor uses a long passphrase' } })).operator
    pages = await SignedInPages.launch(dc.url)
  }, 120_000)

  afterAll(async () => {
    await pages?.close()
    await fleet?.stop()
    await dc?.close()
  })

  it('updates the open overview and node page when a waiver is added and removed through the API', async () => {
    const db = await nodeIdOf(dc, 'db-01')
    const overview = await pages.open(operator.cookie)
    await overview.goto(`${dc.url}/#/`)
    const score = kpiTile(overview, 'Fleet score')
    const worst = overview.locator('section', { hasText: 'Worst nodes first' })
    await worst.getByText('db-01', { exact: true }).waitFor()
    const before = await score.locator('.kpi-value').innerText()
    expect(await score.innerText()).toContain('2 of 2 nodes scored')
    // db-01 fails its one weighted check (the clock): the fleet is not at 100.
    expect(before).not.toMatch(/^100\b/)
    const node = await pages.open(operator.cookie)
    await node.goto(`${dc.url}/#/nodes/${db}`)
    const finding = node.locator('.finding', { hasText: 'system.time-synced' })
    await finding.waitFor()
    expect(await finding.getAttribute('class')).toContain('finding-fail')
    for (const page of [overview, node]) await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42))

    const rescores: string[] = []
    dc.collector.events.on('rescore', (e) => rescores.push(e.nodeId))
    let reportsSince = 0
    dc.collector.events.on('report', () => reportsSince++)
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)
    const added = await call(dc.collector.app, operator, 'POST', '/api/waivers', { rule: 'system.time-synced', node: db, justification: 'NTP appliance replaced next week (CHG-4711)', approver: 'J. Smith, CISO', expires })
    expect(added.statusCode, added.body).toBe(201)
    const { waiver } = added.json() as { waiver: { id: string } }

    // No reload, no new report: the re-score alone moves the overview and the node page.
    await expect.poll(() => score.locator('.kpi-value').innerText(), { timeout: 15_000 }).toMatch(/^100\b/)
    await expect.poll(() => finding.getAttribute('class'), { timeout: 15_000 }).toContain('finding-waived')
    expect(rescores).toContain(db)
    expect(reportsSince).toBe(0)
    await screenshot(overview, 'fleet-after-waiver')

    const removed = await call(dc.collector.app, operator, 'DELETE', `/api/waivers/${waiver.id}`)
    expect(removed.statusCode, removed.body).toBe(200)
    await expect.poll(() => score.locator('.kpi-value').innerText(), { timeout: 15_000 }).toBe(before)
    await expect.poll(() => finding.getAttribute('class'), { timeout: 15_000 }).toContain('finding-fail')
    expect(reportsSince).toBe(0)
    for (const page of [overview, node]) expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42)
    expect(pages.errors).toEqual([])
  }, 90_000)
})
