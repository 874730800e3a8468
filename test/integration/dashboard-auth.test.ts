import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { call, completeSetup, signIn, startDashboardCollector, type DashboardCollector } from '../e2e/dashboard-fixture.js'

let dc: DashboardCollector

beforeEach(async () => {
  dc = await startDashboardCollector()
})
afterEach(async () => {
  await dc.close()
})

describe('dashboard sign-in, first-login setup and sessions', () => {
  it('takes the first admin from the one-time password through a new password and TOTP enrolment', async () => {
    const app = dc.collector.app
    const first = await signIn(dc, 'admin', dc.admin.password)
    const session = (await call(app, first, 'GET', '/api/session')).json()
    expect(session.user).toMatchObject({ username: 'admin', role: 'admin', mustChangePassword: true, totpEnabled: false })
    expect(session.totpRequired).toBe(true)

    // Until setup is done, the API refuses everything else.
    const blocked = await call(app, first, 'GET', '/api/overview')
    expect(blocked.statusCode).toBe(403)
    expect(blocked.json()).toEqual({ error: { code: 'SETUP_REQUIRED', message: expect.any(String) } })

    // A change without the CSRF token is refused.
    const noCsrf = await call(app, { cookie: first.cookie, csrf: '' }, 'POST', '/api/auth/password', { current: dc.admin.password, next: 'correct horse battery staple' })
    expect(noCsrf.json().error.code).toBe('CSRF')
    const weak = await call(app, first, 'POST', '/api/auth/password', { current: dc.admin.password, next: 'short' })
    expect(weak.statusCode).toBe(400)

    const done = await completeSetup(dc, 'admin', dc.admin.password, 'correct horse battery staple')
    expect(done.recoveryCodes).toHaveLength(10)
    expect((await call(app, done.browser, 'GET', '/api/overview')).statusCode).toBe(200)

    // The one-time password no longer works; the new one needs the TOTP code.
    expect((await call(app, null, 'POST', '/api/auth/login', { username: 'admin', password: dc.admin.password })).json().error.code).toBe('BAD_CREDENTIALS')
    const needsCode = await call(app, null, 'POST', '/api/auth/login', { username: 'admin', password: 'correct horse battery staple' })
    expect(needsCode.statusCode).toBe(401)
    expect(needsCode.json().error.code).toBe('TOTP_REQUIRED')
    const browser = await signIn(dc, 'admin', 'correct horse battery staple', done.totpSecret)
    expect((await call(app, browser, 'GET', '/api/overview')).statusCode).toBe(200)
  })

  it('sets a __Host- session cookie, HttpOnly, Secure, SameSite=Strict, and a new one at every login', async () => {
    const app = dc.collector.app
    const login = () => call(app, null, 'POST', '/api/auth/login', { username: 'admin', password: dc.admin.password })
    const a = await login()
    const b = await login()
    const cookieA = String(a.headers['set-cookie'])
    expect(cookieA).toMatch(/^__Host-posture-session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/)
    expect(String(b.headers['set-cookie']).split(';')[0]).not.toBe(cookieA.split(';')[0])
  })

  it('refuses a replayed TOTP code and accepts each recovery code once', async () => {
    const app = dc.collector.app
    const { totpSecret, recoveryCodes } = await completeSetup(dc, 'admin', dc.admin.password, 'correct horse battery staple')
    const code = dc.totp(totpSecret)
    const ok = await call(app, null, 'POST', '/api/auth/login', { username: 'admin', password: 'correct horse battery staple', code })
    expect(ok.statusCode).toBe(200)
    const replay = await call(app, null, 'POST', '/api/auth/login', { username: 'admin', password: 'correct horse battery staple', code })
    expect(replay.json().error.code).toBe('BAD_CODE')
    const recovery = { username: 'admin', password: 'correct horse battery staple', code: recoveryCodes[3]!.toUpperCase() }
    expect((await call(app, null, 'POST', '/api/auth/login', recovery)).statusCode).toBe(200)
    expect((await call(app, null, 'POST', '/api/auth/login', recovery)).json().error.code).toBe('BAD_CODE')
  })

  it('ends the session at logout and after the idle limit', async () => {
    const app = dc.collector.app
    const { browser } = await completeSetup(dc, 'admin', dc.admin.password, 'correct horse battery staple')
    expect((await call(app, browser, 'GET', '/api/session')).statusCode).toBe(200)
    dc.advance(31 * 60_000)
    expect((await call(app, browser, 'GET', '/api/session')).statusCode).toBe(401)
  })

  it('limits brute force per account with the same answer for real and made-up names', async () => {
    const app = dc.collector.app
    const attempt = (username: string, password: string) => call(app, null, 'POST', '/api/auth/login', { username, password })
    const real = await attempt('admin', 'wrong-1')
    const madeUp = await attempt('nobody', 'wrong-1')
    expect(real.statusCode).toBe(madeUp.statusCode)
    expect(real.json()).toEqual(madeUp.json())
    for (let i = 2; i <= 5; i++) expect((await attempt('admin', `wrong-${i}`)).statusCode).toBe(401)
    const locked = await attempt('admin', dc.admin.password)
    expect(locked.statusCode).toBe(429)
    expect(locked.json().error.code).toBe('RATE_LIMITED')
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800)
    // The made-up name locks the same way after as many failures: no enumeration by lockout.
    for (let i = 2; i <= 5; i++) await attempt('nobody', `wrong-${i}`)
    expect((await attempt('nobody', 'x')).json().error.code).toBe('RATE_LIMITED')
    dc.advance(16 * 60_000)
    expect((await attempt('admin', dc.admin.password)).statusCode).toBe(200)
  })

  it('records logins, failures and changes in a verifiable audit log', async () => {
    const app = dc.collector.app
    await call(app, null, 'POST', '/api/auth/login', { username: 'admin', password: 'nope' })
    const { browser } = await completeSetup(dc, 'admin', dc.admin.password, 'correct horse battery staple')
    const log = (await call(app, browser, 'GET', '/api/audit?limit=50')).json()
    expect(log.entries.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`).reverse()).toEqual([
      'login:failure',
      'login:success',
      'password.change:success',
      'totp.enrol:success',
    ])
    expect(log.entries.at(-1)).toMatchObject({ actor: 'admin', details: { reason: 'bad-password' }, ip: '127.0.0.1' })
    expect((await call(app, browser, 'GET', '/api/audit/verify')).json()).toMatchObject({ ok: true, count: 4 })
  })
})
