import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEvidence } from '../../collector/evidence/evidence-plugin.js'
import { runPosture } from '../helpers/cli.js'
import { readZipEntries } from '../unit/collector/evidence/zip-entries.js'
import { hasChromium, screenshot } from './browser.js'
import { nodeIdOf, SignedInPages, signInRoles, startDashboardCollector, type Account, type DashboardCollector, type Role } from './dashboard-fixture.js'
import { startFleet, type FleetNode, type RunningNode } from './fleet.js'

/**
 * The Waivers and Evidence pages in real headless Chromium against a real collector with
 * real agents (issue 11). An operator adds a waiver with a justification and an expiry
 * through the form: the node's finding shows `waived`, and its score is shown with and
 * without waivers. An auditor can neither add nor remove waivers. A waiver that lapses is
 * flagged expired and its finding fails again. The auditor attaches manual evidence (a
 * file and a note) to a control, exports the framework for a window as a background job,
 * watches its progress, downloads the zip, and the download passes `posture verify`.
 */
const nodes: FleetNode[] = [
  { hostname: 'db-01', kind: 'system', synchronized: false, labels: { env: 'prod' } },
  { hostname: 'legacy-01', kind: 'system', synchronized: false, labels: { env: 'prod' } },
  { hostname: 'web-01', kind: 'system', labels: { env: 'prod' } },
]

let dc: DashboardCollector
let fleet: { running: RunningNode[]; stop(): Promise<void> }
let pages: SignedInPages
let accounts: Record<Role, Account>
const work = mkdtempSync(join(tmpdir(), 'posture-e2e-evidence-'))

/** A signed-in browser page for `who` (the session cookie set by signing in through the API). */
function pageAs(who: 'operator' | 'auditor'): Promise<Page> {
  return pages.open(accounts[who].cookie, { acceptDownloads: true, dialogs: 'dismiss' })
}

const nodeId = (hostname: string) => nodeIdOf(dc, hostname)

/** The status badge of a rule's finding on a node page. */
function findingOf(page: Page, rule: string) {
  return page.locator('.finding', { hasText: rule })
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)

describe.skipIf(!hasChromium)('Waivers and Evidence pages in headless Chromium', () => {
  beforeAll(async () => {
    // The dashboard fixture's collector, with the evidence plugin (waivers, frameworks, exports) too.
    dc = await startDashboardCollector({}, {}, [createEvidence({ watchEveryMs: 200 })])
    fleet = await startFleet(dc.collector, nodes)
    accounts = await signInRoles(dc, 'keeper of the whole fleet 2026', { operator: { username: 'olga', password: 'operator uses a long passphrase 2026' }, auditor: { username: 'audrey', password: 'auditor uses a long passphrase 2026' } })
    pages = await SignedInPages.launch(dc.url)
  }, 180_000)

  afterAll(async () => {
    await pages?.close()
    await fleet?.stop()
    await dc?.close()
    rmSync(work, { recursive: true, force: true })
  })

  it('lets an operator waive a failing check: the finding shows waived, the score is shown with and without waivers', async () => {
    const page = await pageAs('operator')
    const db = await nodeId('db-01')
    await page.goto(`${dc.url}/#/nodes/${db}`)
    await expect.poll(() => findingOf(page, 'system.time-synced').first().getAttribute('class')).toContain('finding-fail')
    const before = (await page.locator('.kpi', { hasText: 'Score' }).locator('.kpi-value').innerText()).trim().split(/\s+/)[0]!

    await page.goto(`${dc.url}/#/waivers`)
    await page.locator('#add-waiver').waitFor()
    await page.locator('#waiver-rule').fill('system.time-synced')
    await page.locator('#waiver-node').fill(db)
    await page.locator('#waiver-justification').fill('NTP appliance is replaced next week (CHG-4711); clock drift is monitored until then')
    await page.locator('#waiver-approver').fill('J. Smith, CISO')
    await page.locator('#waiver-expires').fill(inDays(14))
    await page.getByRole('button', { name: 'Add waiver' }).click()
    const row = page.locator('table.data tbody tr', { hasText: 'CHG-4711' })
    await row.waitFor()
    expect(await row.innerText()).toMatch(/system\.time-synced[\s\S]*node [0-9a-f]{16}[\s\S]*J\. Smith, CISO[\s\S]*\d{4}-\d{2}-\d{2} \((13|14) d\)/)
    await screenshot(page, 'waivers')

    // The running collector re-scores at once: waived, and the score both ways.
    await page.goto(`${dc.url}/#/nodes/${db}`)
    await expect.poll(async () => (await findingOf(page, 'system.time-synced').first().getAttribute('class')) ?? '', { timeout: 20_000 }).toContain('finding-waived')
    expect(await findingOf(page, 'system.time-synced').first().textContent()).toContain('(approved by J. Smith, CISO, expires ')
    const score = page.locator('.kpi', { hasText: 'Score' })
    await expect.poll(() => score.locator('.without-waivers').innerText()).toBe(` · ${before} without waivers`)
    expect((await score.locator('.kpi-value').innerText()).trim().split(/\s+/)[0]).not.toBe(before)
    await screenshot(page, 'node-waived')
  }, 120_000)

  it('shows auditors the waivers but no way to add or remove one, and the API refuses them', async () => {
    const page = await pageAs('auditor')
    await page.goto(`${dc.url}/#/waivers`)
    await page.locator('table.data tbody tr', { hasText: 'CHG-4711' }).waitFor()
    expect(await page.locator('#add-waiver').count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Remove' }).count()).toBe(0)
    const id = (await (await page.request.get(`${dc.url}/api/waivers`)).json()).waivers[0].id as string
    const statuses = await page.evaluate(async (waiver) => {
      const { csrfToken } = (await (await fetch('/api/session')).json()) as { csrfToken: string }
      const headers = { 'content-type': 'application/json', 'x-csrf-token': csrfToken }
      return {
        create: (await fetch('/api/waivers', { method: 'POST', headers, body: JSON.stringify({ rule: 'system.time-synced', justification: 'auditors may not accept risk', approver: 'nobody', expires: new Date(Date.now() + 86_400_000).toISOString() }) })).status,
        remove: (await fetch(`/api/waivers/${waiver}`, { method: 'DELETE', headers: { 'x-csrf-token': csrfToken } })).status,
      }
    }, id)
    expect(statuses).toEqual({ create: 403, remove: 403 })
  }, 60_000)

  it('flags a waiver that expired, and its finding fails again', async () => {
    const page = await pageAs('operator')
    const legacy = await nodeId('legacy-01')
    await page.goto(`${dc.url}/#/waivers`)
    await page.locator('h1', { hasText: 'Waivers' }).waitFor()
    const expires = new Date(Date.now() + 6_000).toISOString()
    const created = await page.evaluate(async ({ node, expires }) => {
      const { csrfToken } = (await (await fetch('/api/session')).json()) as { csrfToken: string }
      const response = await fetch('/api/waivers', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken }, body: JSON.stringify({ rule: 'system.time-synced', node, justification: 'short maintenance window for the NTP move (CHG-4712)', approver: 'ops lead', expires }) })
      return { status: response.status, body: (await response.json()) as { waiver: { id: string } } }
    }, { node: legacy, expires })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const row = page.locator('table.data tbody tr', { hasText: 'CHG-4712' })
    await expect.poll(async () => { await page.reload(); return row.locator('.bad-text').count() }, { timeout: 20_000, interval: 500 }).toBe(1)
    expect(await row.locator('.bad-text').innerText()).toMatch(/^\d{4}-\d{2}-\d{2} \(expired\)$/)
    await screenshot(page, 'waivers-expired')

    await page.goto(`${dc.url}/#/nodes/${legacy}`)
    const finding = findingOf(page, 'system.time-synced').first()
    await expect.poll(async () => { await page.reload(); return (await finding.getAttribute('class')) ?? '' }, { timeout: 20_000, interval: 500 }).toContain('finding-fail')
    expect(await finding.textContent()).toContain(`waiver ${created.body.waiver.id} expired`)
  }, 90_000)

  it('lets an auditor attach manual evidence, export a framework for a window in the background, and download a zip that verifies', async () => {
    const page = await pageAs('auditor')
    await page.goto(`${dc.url}/#/evidence?framework=soc2`)
    await page.locator('#control-CC1\\.1').waitFor()

    // Manual evidence: a file and a note on CC1.1 (no rule checks it).
    const row = page.locator('table.data tbody tr', { has: page.locator('#control-CC1\\.1') })
    await row.locator('input[type=file]').setInputFiles({ name: 'code-of-conduct.txt', mimeType: 'text/plain', buffer: Buffer.from('Code of conduct v3, acknowledged by all staff\n') })
    await row.getByLabel('Note for CC1.1').fill('signed acknowledgements, 2026')
    await row.getByRole('button', { name: 'Attach' }).click()
    await expect.poll(() => page.locator('table.data tbody tr', { has: page.locator('#control-CC1\\.1') }).locator('li').allInnerTexts()).toEqual([expect.stringMatching(/^code-of-conduct\.txt: signed acknowledgements, 2026 \(user:audrey, \d{4}-\d{2}-\d{2}\)$/)])

    // The export runs as a job: progress first, then the link.
    const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    const to = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    await page.locator('#export-evidence input[name=from]').fill(from)
    await page.locator('#export-evidence input[name=to]').fill(to)
    await page.getByRole('button', { name: 'Start export' }).click()
    const link = page.locator('a.export-download')
    await link.waitFor({ timeout: 60_000 })
    expect(await page.locator('.export-done').innerText()).toMatch(new RegExp(`^Export of ${from} to ${to} ready: Download posture-soc2-${from}-${to}\\.zip \\(\\d+ KiB, manifest SHA-256 [0-9a-f]{16}…, kept until .* UTC\\)$`))
    await screenshot(page, 'evidence-export')
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    expect(download.suggestedFilename()).toBe(`posture-soc2-${from}-${to}.zip`)
    const archive = join(work, 'downloaded.zip')
    await download.saveAs(archive)

    const entries = await readZipEntries(archive)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as { exportedBy: string; counts: { nodes: number; manualEvidence: number } }
    expect(manifest).toMatchObject({ exportedBy: 'user:audrey', counts: { nodes: 3, manualEvidence: 1 } })
    expect([...entries.keys()].find((k) => k.startsWith('manual-evidence/') && k.endsWith('code-of-conduct.txt'))).toBeDefined()
    const waivers = JSON.parse(entries.get('waivers.json')!.toString()) as { justification: string; expiredInWindow: boolean }[]
    expect(waivers.map((w) => [/CHG-\d+/.exec(w.justification)?.[0], w.expiredInWindow]).sort()).toEqual([['CHG-4711', false], ['CHG-4712', true]])

    const keyFile = join(work, 'collector.pub')
    writeFileSync(keyFile, await (await page.request.get(`${dc.url}/api/signing-key`)).text())
    const verified = await runPosture(['verify', archive, '--key', keyFile])
    expect(verified.code, verified.stdout + verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(/^OK .*SOC 2/)
    expect(readFileSync(archive).subarray(0, 2).toString()).toBe('PK')
    expect(pages.errors).toEqual([])
  }, 180_000)
})
