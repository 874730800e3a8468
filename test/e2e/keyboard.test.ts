import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { hasChromium, laptop, launchChromium, screenshot } from './browser.js'
import { completeSetup, startDashboardCollector, type DashboardCollector } from './dashboard-fixture.js'
import { startFleet, type FleetNode, type RunningNode } from './fleet.js'

/**
 * The dashboard by keyboard only, in headless Chromium: sign in with password and TOTP,
 * skip to content, move through the navigation, filter findings, open a node, scan it now
 * and sign out — no mouse, and every element that takes focus shows it.
 */
const nodes: FleetNode[] = [
  { hostname: 'db-01', kind: 'system', synchronized: false, labels: { env: 'prod' } },
  { hostname: 'web-01', kind: 'system', labels: { env: 'prod' } },
  { hostname: 'lab-01', kind: 'system', labels: { env: 'lab' } },
]
const password = 'keyboard only passphrase'

let dc: DashboardCollector
let fleet: { running: RunningNode[]; stop(): Promise<void> }
let browser: Browser
let totpSecret = ''

interface Focused {
  tag: string
  id: string
  text: string
  /** Outline or box-shadow drawn for focus, and the element on screen. */
  visible: boolean
}

function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    if (!el || el === document.body) return { tag: 'body', id: '', text: '', visible: false }
    const style = getComputedStyle(el)
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none'
    const box = el.getBoundingClientRect()
    const onScreen = box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 && box.top < window.innerHeight && box.left < window.innerWidth
    return { tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 80), visible: ring && onScreen }
  })
}

/**
 * Presses Tab until the focused element matches; every stop on the way must show its
 * focus. Fails if the element is not reached within `max` presses.
 */
async function tabTo(page: Page, what: string, match: (f: Focused) => boolean, max = 80): Promise<Focused> {
  const path: string[] = []
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    const f = await focused(page)
    path.push(`${f.tag}#${f.id}:${f.text}`)
    if (f.tag !== 'body' && !f.visible) throw new Error(`focus is not visible on ${f.tag}#${f.id} "${f.text}" (on the way to ${what})`)
    if (match(f)) return f
  }
  throw new Error(`${what} not reached by Tab in ${max} presses: ${path.join(' → ')}`)
}

describe.skipIf(!hasChromium)('the dashboard by keyboard only', () => {
  beforeAll(async () => {
    dc = await startDashboardCollector()
    fleet = await startFleet(dc.collector, nodes)
    totpSecret = (await completeSetup(dc, 'admin', dc.admin.password, password)).totpSecret
    browser = await launchChromium()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await fleet?.stop()
    await dc?.close()
  })

  it('signs in, navigates, filters findings, opens a node, scans it and signs out without a mouse', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: laptop })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))

    // Sign in: the name field has focus; Tab to the password; Enter; the code field takes focus.
    await page.goto(dc.url)
    await page.locator('#username').waitFor()
    await expect.poll(async () => (await focused(page)).id).toBe('username')
    await page.keyboard.type('admin')
    await page.keyboard.press('Tab')
    expect((await focused(page)).id).toBe('password')
    await page.keyboard.type(password)
    await page.keyboard.press('Enter')
    await page.locator('#code').waitFor({ state: 'visible' })
    await expect.poll(async () => (await focused(page)).id).toBe('code')
    await page.keyboard.type(dc.totp(totpSecret))
    await page.keyboard.press('Enter')
    await page.locator('h1', { hasText: 'Fleet' }).waitFor()

    // The first Tab reaches "Skip to content", shown on screen; Enter moves focus into the page.
    const skip = await tabTo(page, 'the skip link', (f) => f.text === 'Skip to content', 1)
    expect(skip.visible).toBe(true)
    await screenshot(page, 'keyboard-skip-link')
    await page.keyboard.press('Enter')
    expect((await focused(page)).id).toBe('main')

    // The navigation: Tab from the top to "Findings", Enter.
    await tabTo(page, 'the Findings link', (f) => f.tag === 'a' && f.text === 'Findings')
    await screenshot(page, 'keyboard-nav-focus')
    await page.keyboard.press('Enter')
    await page.locator('h1', { hasText: 'Findings' }).waitFor()

    // Filter: status "fail" with the arrow keys (applies at once; focus stays on the control), then a label and Enter.
    await tabTo(page, 'the status filter', (f) => f.id === 'f-status')
    await page.keyboard.press('ArrowDown')
    await page.waitForURL(/status=fail/)
    await expect.poll(async () => (await focused(page)).id).toBe('f-status')
    await tabTo(page, 'the label filter', (f) => f.id === 'f-label')
    await page.keyboard.type('env=prod')
    await page.keyboard.press('Enter')
    await page.waitForURL(/label=env%3Dprod/)
    await expect.poll(() => page.locator('table.data tbody tr').count()).toBe(1)
    expect(await page.locator('table.data tbody tr').innerText()).toContain('db-01')
    await expect.poll(async () => (await focused(page)).id).toBe('f-label')
    await screenshot(page, 'keyboard-findings')

    // Open the node from the results.
    await tabTo(page, 'the db-01 link', (f) => f.tag === 'a' && f.text === 'db-01')
    await page.keyboard.press('Enter')
    await page.locator('h1.hostname', { hasText: 'db-01' }).waitFor()

    // Scan now: fix the node's clock first, so the live update shows the new report.
    const db = fleet.running.find((r) => r.node.hostname === 'db-01')!
    db.snapshot.commands['timedatectl show'] = { stdout: 'NTP=yes\nNTPSynchronized=yes\n', stderr: '', exitCode: 0 }
    await tabTo(page, 'Scan now', (f) => f.tag === 'button' && f.text === 'Scan now')
    await screenshot(page, 'keyboard-scan-now')
    await page.keyboard.press('Enter')
    const failing = page.locator('.kpi', { has: page.locator('.kpi-label', { hasText: /^Failing$/ }) }).locator('.kpi-value')
    await expect.poll(() => failing.innerText(), { timeout: 20_000 }).toBe('0')

    // Sign out from the top bar.
    await page.keyboard.press('Shift+Tab') // wherever focus is after the live update, Tab order goes on from there
    await tabTo(page, 'Sign out', (f) => f.tag === 'button' && f.text === 'Sign out', 120)
    await page.keyboard.press('Enter')
    await page.locator('#username').waitFor()
    await expect.poll(async () => (await focused(page)).id).toBe('username')
    expect(errors).toEqual([])
    await context.close()
  }, 120_000)
})
