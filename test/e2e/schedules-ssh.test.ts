import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { hostKeyId } from '../../agent/host/known-hosts.js'
import { createSchedules } from '../../collector/schedule/schedules-plugin.js'
import { SqliteSshNodes } from '../../collector/ssh/sqlite-ssh-nodes.js'
import { hasChromium, laptop, phone, screenshot } from './browser.js'
import { SignedInPages, signInRoles, startDashboardCollector, type Account, type DashboardCollector, type Role } from './dashboard-fixture.js'
import { startFleet, type FleetNode, type RunningNode } from './fleet.js'

/**
 * The Schedules and SSH nodes pages in headless Chromium against a real collector with
 * the schedules plugin and real agents: an operator adds, edits, disables, runs and
 * deletes a schedule and adds an SSH node; a changed host key is pinned by an admin only
 * after typing the verified fingerprint; an auditor sees everything and can change nothing
 * (no controls in the page, 403 from the API); both pages at phone width.
 */
const markup = '<img src=x onerror=alert(1)>'
const nodes: FleetNode[] = [
  { hostname: 'web-01', kind: 'system', labels: { env: 'prod' } },
  { hostname: 'web-02', kind: 'system', labels: { env: 'prod' } },
  { hostname: 'lab-01', kind: 'system', labels: { env: 'lab' } },
]
const oldKey = 'SHA256:OldKeyOldKeyOldKeyOldKeyOldKeyOldKeyOldKey0'
const newKey = 'SHA256:NewKeyNewKeyNewKeyNewKeyNewKeyNewKeyNewKey1'

let dc: DashboardCollector
let fleet: { running: RunningNode[]; stop(): Promise<void> }
let pages: SignedInPages
let accounts: Record<Role, Account>

/** A page signed in as `who` (the session cookie of a sign-in through the API). */
function pageAs(who: Role, viewport = laptop): Promise<Page> {
  return pages.open(accounts[who].cookie, { viewport })
}

function row(page: Page, text: string) {
  return page.locator('table.data tbody tr', { hasText: text })
}

/** What the API answers the page's own session for each change it could try. */
function tryChanges(page: Page) {
  return page.evaluate(async () => {
    const session = (await (await fetch('/api/session')).json()) as { csrfToken: string }
    const send = (method: string, url: string, body?: unknown) =>
      fetch(url, { method, headers: { 'x-csrf-token': session.csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }).then((r) => r.status)
    return {
      add: await send('POST', '/api/schedules', { name: 'sneaky', cron: '@daily', mode: 'agent' }),
      edit: await send('PUT', '/api/schedules/weekly', { cron: '@daily', mode: 'agent' }),
      disable: await send('PATCH', '/api/schedules/weekly', { enabled: false }),
      run: await send('POST', '/api/schedules/weekly/run'),
      remove: await send('DELETE', '/api/schedules/weekly'),
      addNode: await send('POST', '/api/ssh-nodes', { name: 'sneaky', address: 'root@10.0.0.1', key: 'agent' }),
      removeNode: await send('DELETE', '/api/ssh-nodes/bastion'),
      trust: await send('POST', '/api/ssh-nodes/bastion/trust', { fingerprint: 'SHA256:NewKeyNewKeyNewKeyNewKeyNewKeyNewKeyNewKey1' }),
    }
  })
}

describe.skipIf(!hasChromium)('Schedules and SSH nodes pages in headless Chromium', () => {
  beforeAll(async () => {
    dc = await startDashboardCollector({}, { schedules: { pollMs: 200, agentReportTimeoutMs: 20_000 } }, [createSchedules({ env: {} }).plugin])
    fleet = await startFleet(dc.collector, nodes)
    accounts = await signInRoles(dc)
    // A node whose host key changed since it was pinned: its scans are refused until an admin pins the new key.
    const ssh = new SqliteSshNodes(dc.collector.store.db)
    await ssh.add({ name: 'bastion', target: { username: 'audit', host: '192.0.2.10', port: 22 }, key: 'agent', sudo: false, labels: { note: markup } }, new Date())
    const id = hostKeyId('192.0.2.10', 22)
    await ssh.pins(() => new Date()).pin(id, { keyType: 'ssh-ed25519', fingerprint: oldKey, firstSeen: new Date(Date.now() - 86_400_000 * 40).toISOString() })
    await ssh.recordRefused(id, { keyType: 'ssh-ed25519', fingerprint: newKey }, new Date())
    pages = await SignedInPages.launch(dc.url)
  }, 120_000)

  afterAll(async () => {
    await pages?.close()
    await fleet?.stop()
    await dc?.close()
  })

  it('lets an operator add, edit, disable, run and delete schedules and add an SSH node', async () => {
    const page = await pageAs('operator')
    await page.goto(`${dc.url}/#/schedules`)
    await page.locator('h1', { hasText: 'Schedules' }).waitFor()
    await page.locator('p.empty', { hasText: 'No schedules yet.' }).waitFor()

    // Add: prod nodes, system domain only, every night at 03:00 Berlin time.
    await page.locator('#schedule-new-name').fill('nightly-prod')
    await page.locator('#schedule-new-cron').fill('0 3 * * *')
    await page.locator('#schedule-new-tz').fill('Europe/Berlin')
    await page.locator('#schedule-new-target-kind').selectOption('labels')
    await page.locator('#schedule-new-target').fill('env=prod')
    for (const d of ['tls', 'http', 'patches', 'network', 'storage', 'access', 'dns']) await page.locator(`#schedule-new-domain-${d}`).uncheck()
    await page.getByRole('button', { name: 'Add schedule' }).click()
    const nightly = row(page, 'nightly-prod')
    await nightly.waitFor()
    expect(await nightly.locator('.next-runs li').count()).toBe(3)
    expect(await nightly.innerText()).toContain('env=prod')
    expect(await nightly.innerText()).toContain('Europe/Berlin')
    expect(await nightly.locator('td[data-label="Domains"]').innerText()).toBe('system')
    expect(await nightly.innerText()).toContain('never run')
    const firstNext = await nightly.locator('.next-runs time').first().getAttribute('datetime')
    expect(new Date(firstNext!).getUTCMinutes()).toBe(0)

    // A bad cron expression: the API's message, nothing added.
    await page.locator('#schedule-new-name').fill('broken')
    await page.locator('#schedule-new-cron').fill('61 * * * *')
    await page.getByRole('button', { name: 'Add schedule' }).click()
    await page.locator('.toast-error', { hasText: /cron/ }).waitFor()
    expect(await row(page, 'broken').count()).toBe(0)

    // Edit: the form is filled in with the schedule; the name cannot change.
    await nightly.getByRole('button', { name: 'Edit' }).click()
    expect(await page.locator('#schedule-edit-name').inputValue()).toBe('nightly-prod')
    expect(await page.locator('#schedule-edit-name').getAttribute('readonly')).not.toBeNull()
    expect(await page.locator('#schedule-edit-target').inputValue()).toBe('env=prod')
    await page.locator('#schedule-edit-cron').fill('30 4 * * 1-5')
    await page.getByRole('button', { name: 'Save schedule' }).click()
    await expect.poll(() => nightly.locator('code').first().innerText()).toBe('30 4 * * 1-5')
    expect(new Date((await nightly.locator('.next-runs time').first().getAttribute('datetime'))!).getUTCMinutes()).toBe(30)

    // Run now: the two prod agents scan; the row shows the run's outcome when it ends.
    await nightly.getByRole('button', { name: 'Run now' }).click()
    await expect.poll(() => nightly.locator('[data-run-status]').getAttribute('data-run-status'), { timeout: 30_000 }).toBe('ok')
    expect(await nightly.innerText()).toContain('2 of 2 scanned')
    await screenshot(page, 'schedules')

    // Its history.
    await nightly.getByRole('link', { name: 'nightly-prod' }).click()
    await page.locator('h1', { hasText: 'nightly-prod' }).waitFor()
    expect(await page.locator('table.data tbody tr').count()).toBe(1)
    expect(await page.locator('table.data tbody tr').innerText()).toContain('manual')
    await screenshot(page, 'schedule-runs')
    await page.goBack()

    // Disable, enable, delete (asked twice, in the page).
    await nightly.getByRole('button', { name: 'Disable' }).click()
    await expect.poll(() => nightly.locator('td[data-label="Next runs"]').innerText()).toBe('disabled')
    await nightly.getByRole('button', { name: 'Enable' }).click()
    await expect.poll(() => nightly.locator('.next-runs li').count()).toBe(3)
    await page.locator('#schedule-new-name').fill('weekly')
    await page.locator('#schedule-new-cron').fill('0 5 * * 0')
    await page.locator('#schedule-new-target-kind').selectOption('all')
    await page.getByRole('button', { name: 'Add schedule' }).click()
    await row(page, 'weekly').waitFor()
    await nightly.getByRole('button', { name: 'Delete' }).click()
    await nightly.getByText('Delete nightly-prod?').waitFor()
    await nightly.getByRole('button', { name: 'Yes, delete' }).click()
    await expect.poll(() => row(page, 'nightly-prod').count()).toBe(0)
    expect(await row(page, 'weekly').count()).toBe(1)

    // SSH nodes: the changed key is flagged, but only an admin may pin it.
    await page.getByRole('link', { name: 'SSH nodes' }).click()
    await page.locator('h1', { hasText: 'SSH nodes' }).waitFor()
    await page.locator('.notice.bad', { hasText: 'bastion' }).waitFor()
    const bastion = row(page, 'bastion')
    expect(await bastion.locator('[data-fingerprint="pinned"]').innerText()).toBe(oldKey)
    expect(await bastion.locator('[data-fingerprint="refused"]').innerText()).toBe(newKey)
    expect(await bastion.getByRole('button', { name: 'Pin new key' }).count()).toBe(0)
    expect(await bastion.getByText(markup).count()).toBe(1)
    expect(await page.locator('img[src="x"]').count()).toBe(0)
    await page.locator('#ssh-name').fill('legacy-db')
    await page.locator('#ssh-address').fill('audit@198.51.100.7:2222')
    await page.locator('#ssh-key').fill('/etc/posture/keys/fleet')
    await page.locator('#ssh-labels').fill('role=db')
    await page.locator('#ssh-sudo').check()
    await page.getByRole('button', { name: 'Add SSH node' }).click()
    const legacy = row(page, 'legacy-db')
    await legacy.waitFor()
    expect(await legacy.innerText()).toContain('audit@198.51.100.7:2222')
    expect(await legacy.innerText()).toContain('not pinned yet')
    expect(await legacy.innerText()).toContain('never scanned')
    await legacy.getByRole('button', { name: 'Remove' }).click()
    await legacy.getByRole('button', { name: 'No' }).click()
    expect(await legacy.getByRole('button', { name: 'Remove' }).count()).toBe(1)
    // The one change an operator may not make (tryChanges would also delete what the next tests read).
    const trust = await page.evaluate(async (fingerprint) => {
      const session = (await (await fetch('/api/session')).json()) as { csrfToken: string }
      return (await fetch('/api/ssh-nodes/bastion/trust', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken }, body: JSON.stringify({ fingerprint }) })).status
    }, newKey)
    expect(trust).toBe(403)
    expect(pages.errors).toEqual([])
  }, 120_000)

  it('lets an admin pin a changed host key only with the fingerprint verified on the console', async () => {
    const page = await pageAs('admin')
    await page.goto(`${dc.url}/#/ssh-nodes`)
    const bastion = row(page, 'bastion')
    await bastion.getByRole('button', { name: 'Pin new key' }).waitFor()
    await screenshot(page, 'ssh-nodes')
    await bastion.getByLabel(/Fingerprint verified on bastion/).fill('SHA256:SomethingElseEntirely')
    await bastion.getByRole('button', { name: 'Pin new key' }).click()
    await page.locator('.toast-error', { hasText: 'is not the key that was refused' }).waitFor()
    expect(await bastion.locator('[data-fingerprint="pinned"]').innerText()).toBe(oldKey)
    await bastion.getByLabel(/Fingerprint verified on bastion/).fill(newKey)
    await bastion.getByRole('button', { name: 'Pin new key' }).click()
    await expect.poll(() => bastion.locator('[data-fingerprint="pinned"]').innerText()).toBe(newKey)
    expect(await page.locator('.notice.bad').count()).toBe(0)
    expect(await bastion.locator('[data-fingerprint="refused"]').count()).toBe(0)
    expect(pages.errors).toEqual([])
  }, 60_000)

  it('shows an auditor schedules and SSH nodes with no way to change them, and the API refuses every change', async () => {
    const page = await pageAs('auditor')
    await page.goto(`${dc.url}/#/schedules`)
    const weekly = row(page, 'weekly')
    await weekly.waitFor()
    expect(await weekly.innerText()).toContain('read only')
    expect(await page.locator('main button').count()).toBe(0)
    expect(await page.locator('main form').count()).toBe(0)
    await page.goto(`${dc.url}/#/ssh-nodes`)
    await row(page, 'legacy-db').waitFor()
    expect(await page.locator('main button').count()).toBe(0)
    expect(await page.locator('main form').count()).toBe(0)
    expect(await page.locator('main input').count()).toBe(0)
    expect(await tryChanges(page)).toEqual({ add: 403, edit: 403, disable: 403, run: 403, remove: 403, addNode: 403, removeNode: 403, trust: 403 })
    expect(pages.errors).toEqual([])
  }, 60_000)

  it('fits both pages on a phone', async () => {
    const page = await pageAs('operator', phone)
    for (const [hash, name] of [['#/schedules', 'schedules-phone'], ['#/ssh-nodes', 'ssh-nodes-phone']] as const) {
      await page.goto(`${dc.url}/${hash}`)
      await page.locator('table.data tbody tr').first().waitFor()
      await page.locator('main form').first().waitFor()
      await screenshot(page, name)
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0)
    }
    expect(pages.errors).toEqual([])
  }, 60_000)
})
