import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { verifySignature } from '../../collector/alerts/alert-payload.js'
import { createAlerts, type Alerts } from '../../collector/alerts/alerts-plugin.js'
import type { ScheduleRun } from '../../collector/schedule/schedule-spec.js'
import { Receiver } from '../integration/webhook-receiver.js'
import { hasChromium, laptop, phone, screenshot } from './browser.js'
import { SignedInPages, signInRoles, startDashboardCollector, type Account, type DashboardCollector, type Role } from './dashboard-fixture.js'

/**
 * The Webhooks page in headless Chromium against a real collector with the alerts plugin
 * and a real HTTP receiver on 127.0.0.1:0: an operator adds a destination by keyboard (the
 * signing secret shown once), test-sends (the receiver first fails, then answers; the page
 * shows both answers, the receiver checks the signature with the secret the page showed),
 * reads the delivery log (a failing alert with its next retry, the test's attempts), and
 * removes it; an auditor sees the destinations and logs and can change nothing (no
 * controls, 403 from the API). Both pages at phone width.
 */
let dc: DashboardCollector
let alerts: Alerts
let receiver: Receiver
let hookUrl: string
let secret = ''
let pages: SignedInPages
let accounts: Record<Role, Account>

function pageAs(who: 'operator' | 'auditor', viewport = laptop): Promise<Page> {
  return pages.open(accounts[who].cookie, { viewport })
}

const row = (page: Page, text: string) => page.locator('table.data tbody tr', { hasText: text })
const failedRun: ScheduleRun = { id: 7, scheduleId: 3, trigger: 'slot', slot: '2026-03-02T02:00:00.000Z', missedSlots: 0, startedAt: '2026-03-02T02:00:00Z', finishedAt: '2026-03-02T02:01:00Z', status: 'failed', targeted: 1, scanned: 0, scans: [], failures: [{ target: 'legacy-1', reason: 'connect ECONNREFUSED' }] }

describe.skipIf(!hasChromium)('Webhooks page in headless Chromium', () => {
  beforeAll(async () => {
    receiver = new Receiver()
    hookUrl = `${await receiver.listen()}/posture?token=s3cret-in-the-url`
    alerts = createAlerts()
    // Retries 1–3 s apart: long enough to watch a pending retry in the log, short enough to wait for.
    dc = await startDashboardCollector({}, { alerts: { sweepMs: 3_600_000, delivery: { backoffBaseMs: 2_000, backoffMaxMs: 3_000, pollMs: 100 } } }, [alerts.plugin])
    accounts = await signInRoles(dc)
    pages = await SignedInPages.launch(dc.url)
  }, 120_000)

  afterAll(async () => {
    await pages?.close()
    await dc?.close()
    await receiver?.close()
  })

  it('lets an operator add a destination by keyboard, see its secret once, test-send with the receiver’s answers, and read the delivery log', async () => {
    const page = await pageAs('operator')
    await page.goto(`${dc.url}/#/webhooks`)
    await page.locator('h1', { hasText: 'Webhooks' }).waitFor()
    await page.locator('p.empty', { hasText: 'No destinations yet' }).waitFor()
    expect(await page.locator('nav a[href="#/webhooks"]').getAttribute('aria-current')).toBe('')

    // The form, by keyboard: type, tick off two events with Space, pick a severity, submit with Enter.
    await page.locator('#webhook-url').focus()
    await page.keyboard.type(hookUrl)
    await page.keyboard.press('Tab')
    await page.keyboard.type('on-call')
    await page.locator('#webhook-event-finding-resolved').focus()
    await page.keyboard.press('Space')
    await page.locator('#webhook-event-sla-approaching').focus()
    await page.keyboard.press('Space')
    await page.locator('#webhook-severity').selectOption('medium')
    await page.locator('#webhook-name').focus()
    await page.keyboard.press('Enter')
    const shown = page.locator('[data-secret]')
    await shown.waitFor()
    secret = (await shown.innerText()).trim()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
    const onCall = row(page, 'on-call')
    await onCall.waitFor()
    expect(await onCall.locator('td[data-label="URL"]').innerText()).toBe(`${new URL(hookUrl).origin}/hook/…?…`)
    expect(await onCall.locator('td[data-label="Events"] .chip').count()).toBe(8)
    expect((await onCall.locator('td[data-label="Min severity"]').innerText()).toLowerCase()).toBe('medium+') // badges are upper-cased by CSS
    expect(await onCall.locator('td[data-label="Last delivery"]').innerText()).toBe('none yet')
    await screenshot(page, 'webhooks-added')

    // Shown once: after a reload the secret (and the URL's token) are nowhere in the page.
    await page.reload()
    await row(page, 'on-call').waitFor()
    const text = await page.locator('main').innerText()
    expect(text).not.toContain(secret)
    expect(text).not.toContain('s3cret')
    expect(await page.locator('[data-secret]').count()).toBe(0)

    // Test send: the receiver fails first (the page shows the 500 and the next attempt), then answers 200.
    receiver.script = [500]
    await row(page, 'on-call').locator('[data-action="test"]').focus()
    await page.keyboard.press('Enter')
    const result = page.locator('[data-test-result]')
    await page.locator('[data-test-result="retry"]').waitFor()
    expect(await result.textContent()).toMatch(/retry HTTP 500 in \d+ ms; next attempt \d{4}-\d\d-\d\d \d\d:\d\d UTC/)
    await page.locator('[data-test-result="delivered"]').waitFor({ timeout: 15_000 })
    expect(await result.textContent()).toMatch(/^Test message to on-call: delivered HTTP 200 in \d+ ms$/)
    await screenshot(page, 'webhooks-test-send')
    expect(receiver.received).toHaveLength(2)
    const [first, second] = receiver.received
    expect(second!.body).toBe(first!.body)
    expect(second!.headers['x-posture-delivery']).toBe(first!.headers['x-posture-delivery'])
    for (const r of receiver.received) expect(verifySignature(r.body, secret, r.headers['x-posture-signature'] as string)).toBe(true)
    expect(receiver.messages()[0]).toMatchObject({ schema: 'posture.alert/v1', kind: 'test', events: [{ subject: 'test', summary: 'test message from Posture to on-call' }] })

    // A real alert that keeps failing: the log shows it with its next retry.
    receiver.script = [503, 503, 503]
    alerts.onRunFinished(failedRun)
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(3)
    await row(page, 'on-call').locator('[data-action="log"]').click()
    await page.locator('h1', { hasText: 'Deliveries to on-call' }).waitFor()
    const retrying = page.locator('table.data tbody tr', { hasText: 'schedule.failed' }).first()
    await retrying.waitFor()
    expect(await retrying.locator('td[data-label="Message"]').innerText()).toContain('schedule')
    expect(await retrying.locator('td[data-label="Outcome"]').textContent()).toBe('retry')
    expect(await retrying.locator('td[data-label="Answer"]').innerText()).toMatch(/^HTTP 503 in \d+ ms$/)
    expect(await retrying.locator('td[data-label="Next retry"]').innerText()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/)
    const testRows = page.locator('table.data tbody tr', { hasText: 'test' })
    expect(await testRows.count()).toBe(2)
    expect(await testRows.nth(0).locator('td[data-label="Outcome"]').textContent()).toBe('delivered')
    expect(await testRows.nth(0).locator('td[data-label="Attempt"]').innerText()).toBe('2')
    expect(await testRows.nth(1).locator('td[data-label="Answer"]').innerText()).toMatch(/^HTTP 500 in \d+ ms$/)
    // The test message was delivered since: its failed attempt has no next retry any more.
    expect(await testRows.nth(1).locator('td[data-label="Next retry"]').innerText()).toBe('—')
    await screenshot(page, 'webhooks-delivery-log')

    // The failing alert gets through once the receiver recovers; the log says so.
    await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBe(6)
    await page.reload()
    const delivered = page.locator('table.data tbody tr', { hasText: 'schedule.failed' }).first()
    await expect.poll(async () => delivered.locator('td[data-label="Outcome"]').textContent()).toBe('delivered')
    expect(await delivered.locator('td[data-label="Attempt"]').innerText()).toBe('4')
    for (const r of receiver.received) expect(verifySignature(r.body, secret, r.headers['x-posture-signature'] as string)).toBe(true)

    // Phone width: both pages readable, no sideways scrolling.
    const small = await pageAs('operator', phone)
    for (const hash of ['#/webhooks', '#/webhooks/1']) {
      await small.goto(`${dc.url}/${hash}`)
      await small.locator('table.data').waitFor()
      expect(await small.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true)
      await screenshot(small, hash === '#/webhooks' ? 'webhooks-phone' : 'webhooks-delivery-log-phone')
    }
  }, 120_000)

  it('shows an auditor the destinations and delivery logs, with no controls, and the API refuses the auditor’s changes', async () => {
    const page = await pageAs('auditor')
    await page.goto(`${dc.url}/#/webhooks`)
    const onCall = row(page, 'on-call')
    await onCall.waitFor()
    expect(await page.locator('#add-webhook').count()).toBe(0)
    expect(await page.locator('[data-action="test"]').count()).toBe(0)
    expect(await page.locator('[data-action="delete"]').count()).toBe(0)
    expect(await onCall.locator('td[data-label="Last delivery"]').textContent()).toContain('delivered')
    await screenshot(page, 'webhooks-auditor')
    const statuses = await page.evaluate(async (url) => {
      const session = (await (await fetch('/api/session')).json()) as { csrfToken: string }
      const send = (method: string, path: string, body?: unknown) =>
        fetch(path, { method, headers: { 'x-csrf-token': session.csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }).then((r) => r.status)
      return {
        list: (await fetch('/api/webhooks')).status,
        log: (await fetch('/api/webhooks/1/deliveries')).status,
        add: await send('POST', '/api/webhooks', { url }),
        test: await send('POST', '/api/webhooks/1/test'),
        remove: await send('DELETE', '/api/webhooks/1'),
      }
    }, hookUrl)
    expect(statuses).toEqual({ list: 200, log: 200, add: 403, test: 403, remove: 403 })
    await onCall.locator('[data-action="log"]').click()
    await page.locator('h1', { hasText: 'Deliveries to on-call' }).waitFor()
    expect(await page.locator('[data-action="test"]').count()).toBe(0)
    expect(await page.locator('table.data tbody tr').count()).toBeGreaterThanOrEqual(6)
  })

  it('lets an operator remove a destination, asked twice in the page', async () => {
    const page = await pageAs('operator')
    await page.goto(`${dc.url}/#/webhooks`)
    await row(page, 'on-call').locator('[data-action="delete"]').focus()
    await page.keyboard.press('Enter')
    // "Yes, remove" has the focus.
    await page.keyboard.press('Enter')
    await page.locator('p.empty', { hasText: 'No destinations yet' }).waitFor()
    const { webhooks } = await page.evaluate(async () => (await fetch('/api/webhooks')).json() as Promise<{ webhooks: unknown[] }>)
    expect(webhooks).toEqual([])
    expect(pages.errors).toEqual([])
  })
})
