import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildCollector } from '../../collector/build-collector.js'
import { ensureAdminUser } from '../../collector/collector-admin.js'
import { resolveCollectorConfig } from '../../collector/collector-config.js'
import { totpCode } from '../../collector/auth/totp.js'
import { totpKeyFileName } from '../../collector/auth/totp-secret-box.js'
import { createDashboard } from '../../collector/http/routes/dashboard.js'
import { call, completeSetup, signIn, type DashboardCollector } from '../e2e/dashboard-fixture.js'

/**
 * What the dashboard's accounts keep across a restart of the collector on the same data
 * directory: a brute-force lock (the limiter's counters are in the database), and TOTP
 * secrets that the database holds only sealed (the key file is beside it, 0600); a clear
 * secret from before encryption is sealed at start and still signs in.
 */
let dir: string
let running: DashboardCollector[] = []
let offset = 0

async function start(): Promise<DashboardCollector> {
  const config = resolveCollectorConfig({}, { dataDir: dir, listen: { host: '127.0.0.1', port: 0 }, backup: { intervalMs: 0 } }, dir)
  const now = () => Date.now() + offset
  const dashboard = createDashboard({ clock: () => new Date(now()) })
  const collector = await buildCollector(config, { logger: pino({ level: 'silent' }), authorize: dashboard.authorize, plugins: [dashboard.plugin] })
  const url = await collector.start()
  const admin = (await ensureAdminUser(collector.store, new Date())) ?? { username: 'admin', password: '' }
  const dc: DashboardCollector = {
    collector,
    url,
    dataDir: dir,
    admin,
    now,
    advance: (ms) => void (offset += ms),
    totp(secret) {
      const code = totpCode(secret, now())
      offset += 30_000
      return code
    },
    close: () => collector.close(),
  }
  running.push(dc)
  return dc
}

async function stop(dc: DashboardCollector): Promise<void> {
  running = running.filter((r) => r !== dc)
  await dc.close()
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-auth-at-rest-'))
  offset = 0
})
afterEach(async () => {
  for (const dc of running) await dc.close()
  running = []
  rmSync(dir, { recursive: true, force: true })
})

const rawSecret = (): string => {
  const db = new Database(join(dir, 'posture.db'), { readonly: true })
  try {
    return (db.prepare("SELECT totp_secret AS s FROM users WHERE username = 'admin'").get() as { s: string }).s
  } finally {
    db.close()
  }
}

describe('dashboard accounts across a collector restart', () => {
  it('keeps a brute-force lock, and TOTP secrets sealed at rest that still sign in', async () => {
    const first = await start()
    const password = 'correct horse battery staple'
    const { totpSecret } = await completeSetup(first, 'admin', first.admin.password, password)
    expect(statSync(join(dir, totpKeyFileName)).mode & 0o777).toBe(0o600)
    expect(rawSecret()).toMatch(/^enc:v1:/)
    expect(readFileSync(join(dir, 'posture.db')).includes(totpSecret)).toBe(false)

    const guess = (dc: DashboardCollector, i: number) => call(dc.collector.app, null, 'POST', '/api/auth/login', { username: 'mallory', password: `guess-${i}` })
    for (let i = 0; i < 5; i++) expect((await guess(first, i)).json().error.code).toBe('BAD_CREDENTIALS')
    expect((await guess(first, 5)).json().error.code).toBe('RATE_LIMITED')
    await stop(first)

    // A restart forgives nobody, and the sealed secret opens with the key file.
    const second = await start()
    const limited = await guess(second, 6)
    expect(limited.statusCode).toBe(429)
    expect(limited.json().error.code).toBe('RATE_LIMITED')
    const browser = await signIn(second, 'admin', password, totpSecret)
    expect((await call(second.collector.app, browser, 'GET', '/api/session')).statusCode).toBe(200)
    await stop(second)

    // A database from before encryption: its clear secret is sealed at the next start, and still works.
    const db = new Database(join(dir, 'posture.db'))
    db.prepare("UPDATE users SET totp_secret = ? WHERE username = 'admin'").run(totpSecret)
    db.close()
    const third = await start()
    expect(rawSecret()).toMatch(/^enc:v1:/)
    await signIn(third, 'admin', password, totpSecret)
  }, 60_000)
})
