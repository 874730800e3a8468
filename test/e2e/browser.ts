import { existsSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

/**
 * Debian's Chromium, driven by playwright-core (no browser download, ever). Missing
 * Chromium skips the e2e tests with a loud warning here, and fails them in CI.
 */
export const chromiumPath = '/usr/bin/chromium'
export const hasChromium = existsSync(chromiumPath)
export const artifactsDir = resolve(import.meta.dirname, '..', 'artifacts')

if (!hasChromium) {
  if (process.env.CI) throw new Error(`${chromiumPath} is missing: .ci/run installs Debian's chromium for the e2e tests`)
  console.warn(`\n*** SKIPPING dashboard e2e tests: ${chromiumPath} is missing (apt-get install chromium) ***\n`)
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

export const laptop = { width: 1366, height: 900 }
export const phone = { width: 390, height: 844 }

/** Saves a full-page screenshot to test/artifacts/NAME.png (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true })
  const path = resolve(artifactsDir, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}
