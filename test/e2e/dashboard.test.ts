import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { hasChromium, laptop, launchChromium, phone, screenshot } from './browser.js'
import { kpiTile, nodeIdOf, startDashboardCollector, type DashboardCollector } from './dashboard-fixture.js'
import { seedHistory, startFleet, type FleetNode, type RunningNode } from './fleet.js'

/**
 * The dashboard end to end, in real headless Chromium against a real collector with real
 * agents: first sign-in with TOTP enrolment, the fleet, a node, the findings explorer, a
 * scan that updates the open page live, an auditor who can change nothing, a limited
 * brute force, markup in a hostname shown as text, and screenshots of the main pages.
 */
const markup = '<img src=x onerror=alert(1)>'
const nodes: FleetNode[] = [
  { hostname: 'edge-01', kind: 'full', labels: { env: 'staging', role: 'edge' } },
  { hostname: 'db-01', kind: 'system', synchronized: false, labels: { env: 'prod', role: 'db' } },
  { hostname: 'web-01', kind: 'system', labels: { env: 'prod', role: 'web' } },
  { hostname: 'web-02', kind: 'system', labels: { env: 'prod', role: 'web' } },
  { hostname: markup, kind: 'system', labels: { env: 'lab' } },
]
const adminPassword = 'fleet keeper passphrase 2026'
const auditorPassword = 'auditor reads everything'

let dc: DashboardCollector
let fleet: { running: RunningNode[]; stop(): Promise<void> }
let browser: Browser
const contexts: BrowserContext[] = []
let auditorOneTimePassword = ''

const errors: string[] = []

async function newPage(): Promise<{ page: Page; dialogs: string[]; foreign: string[] }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: laptop })
  contexts.push(context)
  const page = await context.newPage()
  const dialogs: string[] = []
  const foreign: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  // Air-gapped: the page may talk to the collector and nothing else.
  page.on('request', (request) => {
    if (!request.url().startsWith(dc.url) && !request.url().startsWith('data:')) foreign.push(request.url())
  })
  return { page, dialogs, foreign }
}

async function signInWithPassword(page: Page, username: string, password: string): Promise<void> {
  await page.goto(dc.url)
  await page.locator('#username').fill(username)
  await page.locator('#password').fill(password)
  await page.keyboard.press('Enter')
}

/** First sign-in: one-time password → new password → TOTP enrolment → recovery codes. Returns the TOTP secret. */
async function firstSignIn(page: Page, username: string, oneTime: string, password: string, shots = false): Promise<string> {
  await signInWithPassword(page, username, oneTime)
  await page.locator('#new-password').waitFor()
  if (shots) await screenshot(page, 'account-first-password')
  await page.locator('#current-password').fill(oneTime)
  await page.locator('#new-password').fill(password)
  await page.locator('#new-password-again').fill(password)
  await page.getByRole('button', { name: 'Change password' }).click()
  const secretText = page.locator('[data-totp-secret]')
  await secretText.waitFor()
  await page.locator('img.qr').waitFor()
  expect(await page.locator('img.qr').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)
  if (shots) await screenshot(page, 'account-totp-enrolment')
  const secret = (await secretText.innerText()).replace(/\s+/g, '')
  await page.locator('#totp-code').fill(dc.totp(secret))
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click()
  await page.locator('.recovery-codes li').first().waitFor()
  expect(await page.locator('.recovery-codes li').count()).toBe(10)
  if (shots) await screenshot(page, 'account-recovery-codes')
  await page.getByRole('button', { name: /I have stored them/ }).click()
  await page.locator('h1', { hasText: 'Fleet' }).waitFor()
  return secret
}

async function signInWithTotp(page: Page, username: string, password: string, secret: string): Promise<void> {
  await signInWithPassword(page, username, password)
  await page.locator('#code').waitFor({ state: 'visible' })
  await page.locator('#code').fill(dc.totp(secret))
  await page.keyboard.press('Enter')
  await page.locator('h1', { hasText: 'Fleet' }).waitFor()
}

const kpiValue = (page: Page, label: string) => kpiTile(page, label).locator('.kpi-value')
const nodeId = (hostname: string) => nodeIdOf(dc, hostname)

describe.skipIf(!hasChromium)('dashboard in headless Chromium', () => {
  beforeAll(async () => {
    dc = await startDashboardCollector()
    await seedHistory(dc.collector, nodes, 30)
    fleet = await startFleet(dc.collector, nodes)
    browser = await launchChromium()
  }, 120_000)

  afterAll(async () => {
    for (const context of contexts) await context.close()
    await browser?.close()
    await fleet?.stop()
    await dc?.close()
  })

  it('signs the admin in with password and TOTP, shows the fleet, a node, findings, and updates live after "scan now"', async () => {
    const { page, dialogs, foreign } = await newPage()
    await page.goto(dc.url)
    await page.locator('#username').waitFor()
    await screenshot(page, 'login')
    const secret = await firstSignIn(page, 'admin', dc.admin.password, adminPassword, true)

    // Sign out and in again: password, then the TOTP code.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.locator('#username').waitFor()
    await signInWithTotp(page, 'admin', adminPassword, secret)

    // The fleet: every node, worst first; the markup hostname is text, never an element.
    const worst = page.locator('section', { hasText: 'Worst nodes first' })
    for (const n of nodes) await expect.poll(() => worst.getByText(n.hostname, { exact: true }).count()).toBe(1)
    expect(await page.locator('img[src="x"]').count()).toBe(0)
    expect(await kpiValue(page, 'Nodes').innerText()).toBe(String(nodes.length))
    expect(await page.locator('.line-chart path.series').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){20,}/)
    await screenshot(page, 'fleet')

    // Drill into a node.
    await worst.getByRole('link', { name: 'edge-01', exact: true }).click()
    await page.locator('h1.hostname', { hasText: 'edge-01' }).waitFor()
    expect(await page.locator('.finding-group').count()).toBeGreaterThanOrEqual(5)
    expect(await page.locator('.finding-fail').count()).toBeGreaterThan(5)
    await page.locator('.finding-fail summary').first().click()
    await page.locator('.finding-fail pre.remediation').first().waitFor()
    await page.locator('.facts-domain summary', { hasText: 'network' }).click()
    await screenshot(page, 'node')

    // The findings explorer: failures of the prod nodes only.
    await page.getByRole('link', { name: 'Findings', exact: true }).click()
    await page.locator('#f-status').selectOption('fail')
    await page.waitForURL(/status=fail/)
    await page.locator('#f-label').fill('env=prod')
    await page.locator('#f-label').press('Enter')
    await page.waitForURL(/label=env%3Dprod/)
    await expect.poll(() => page.locator('table.data tbody tr').count()).toBe(1)
    expect(await page.locator('table.data tbody tr').first().innerText()).toContain('db-01')
    await page.locator('#f-label').fill('')
    await page.locator('#f-label').press('Enter')
    await expect.poll(() => page.locator('table.data tbody tr').count()).toBeGreaterThan(10)
    const statuses = await page.locator('table.data tbody tr .status').allTextContents()
    expect(new Set(statuses)).toEqual(new Set(['fail']))
    await screenshot(page, 'findings')

    // Scan now on db-01 after its clock was fixed: the open page updates without a reload.
    const db = fleet.running.find((r) => r.node.hostname === 'db-01')!
    await page.goto(`${dc.url}/#/nodes/${await nodeId('db-01')}`)
    const failing = kpiValue(page, 'Failing')
    await expect.poll(() => failing.innerText()).toBe('1')
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42))
    db.snapshot.commands['timedatectl show'] = { stdout: 'NTP=yes\nNTPSynchronized=yes\n', stderr: '', exitCode: 0 }
    await page.getByRole('button', { name: 'Scan now' }).click()
    await expect.poll(() => failing.innerText(), { timeout: 20_000 }).toBe('0')
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42)

    // The other main pages.
    await page.goto(`${dc.url}/#/rules`)
    await page.locator('h1', { hasText: 'Rules' }).waitFor()
    await screenshot(page, 'rules')
    await page.goto(`${dc.url}/#/rules/system.time-synced`)
    await page.locator('h2', { hasText: 'How to fix it' }).waitFor()
    await screenshot(page, 'rule')
    await page.goto(`${dc.url}/#/compliance?framework=soc2`)
    await page.locator('table.data').waitFor()
    await screenshot(page, 'compliance')
    await page.goto(`${dc.url}/#/audit`)
    await page.locator('.notice', { hasText: 'Hash chain intact' }).waitFor()
    await screenshot(page, 'audit')

    // Add an auditor (one-time password shown once).
    await page.goto(`${dc.url}/#/users`)
    await page.locator('#new-username').fill('audrey')
    await page.locator('#new-role').selectOption('auditor')
    await page.getByRole('button', { name: 'Add user' }).click()
    auditorOneTimePassword = await page.locator('[data-secret]').innerText()
    expect(auditorOneTimePassword).toMatch(/^[A-Za-z0-9]{20}$/)
    await page.locator('td', { hasText: 'audrey' }).waitFor()
    await screenshot(page, 'users')
    await page.goto(`${dc.url}/#/tokens`)
    await page.locator('#token-name').fill('ci-export')
    await page.getByRole('button', { name: 'Create token' }).click()
    await page.locator('[data-secret]').waitFor()
    await screenshot(page, 'tokens')

    // Phone width.
    await page.setViewportSize(phone)
    await page.goto(`${dc.url}/#/`)
    await page.locator('h1', { hasText: 'Fleet' }).waitFor()
    await page.locator('.line-chart').waitFor()
    await screenshot(page, 'fleet-phone')
    await page.goto(`${dc.url}/#/nodes/${await nodeId('edge-01')}`)
    await page.locator('h1.hostname').waitFor()
    await screenshot(page, 'node-phone')
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)

    expect(dialogs).toEqual([])
    expect(foreign).toEqual([])
    expect(errors).toEqual([])
  }, 180_000)

  it('lets an auditor read and export, and refuses every change in the API', async () => {
    expect(auditorOneTimePassword).not.toBe('')
    const { page } = await newPage()
    await firstSignIn(page, 'audrey', auditorOneTimePassword, auditorPassword)
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0)
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(1)
    await page.goto(`${dc.url}/#/nodes/${await nodeId('web-01')}`)
    await page.locator('h1.hostname', { hasText: 'web-01' }).waitFor()
    expect(await page.getByRole('button', { name: 'Scan now' }).count()).toBe(0)

    const id = await nodeId('web-01')
    const statuses = await page.evaluate(async (nodeId) => {
      const session = (await (await fetch('/api/session')).json()) as { csrfToken: string }
      const post = (url: string, body: unknown) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken }, body: JSON.stringify(body) }).then((r) => r.status)
      return {
        scan: await post(`/api/nodes/${nodeId}/scan`, {}),
        user: await post('/api/users', { username: 'eve', role: 'admin' }),
        token: await post('/api/tokens', { name: 'x', role: 'admin' }),
        csv: await fetch('/api/explorer.csv?status=fail').then(async (r) => `${r.status} ${r.headers.get('content-type')} ${(await r.text()).split('\r\n')[0]}`),
      }
    }, id)
    expect(statuses).toEqual({ scan: 403, user: 403, token: 403, csv: '200 text/csv; charset=utf-8 node,node_id,rule,title,domain,severity,status,target,message,failing_since,sla_due,remediation' })
  }, 120_000)

  it('limits a brute-force sign-in with a clear message', async () => {
    const { page } = await newPage()
    await page.goto(dc.url)
    const message = page.locator('.form-error')
    for (let i = 1; i <= 5; i++) {
      await page.locator('#username').fill('mallory')
      await page.locator('#password').fill(`guess-${i}`)
      await page.keyboard.press('Enter')
      await expect.poll(() => message.innerText(), { timeout: 15_000 }).toBe('Wrong username or password.')
      await page.evaluate(() => (document.querySelector('.form-error')!.textContent = ''))
    }
    await page.locator('#password').fill('guess-6')
    await page.keyboard.press('Enter')
    await expect.poll(() => message.innerText(), { timeout: 15_000 }).toMatch(/^Too many failed sign-ins\. Try again in 15 minutes\.$/)
    await screenshot(page, 'login-limited')
  }, 60_000)
})
