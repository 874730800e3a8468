import { describe, expect, it } from 'vitest'
import { checkCsrf, type CsrfRequest } from '../../../../collector/auth/csrf.js'

const base: CsrfRequest = { method: 'POST', headerToken: 'tok-123', sessionToken: 'tok-123', origin: 'https://c.example:8443', secFetchSite: 'same-origin', host: 'c.example:8443' }

describe('checkCsrf', () => {
  it.each<[string, Partial<CsrfRequest>, ReturnType<typeof checkCsrf>]>([
    ['a same-origin request with the session token', {}, { ok: true }],
    ['a safe method without any token', { method: 'GET', headerToken: undefined, secFetchSite: 'cross-site' }, { ok: true }],
    ['no token', { headerToken: undefined }, { ok: false, reason: 'missing-token' }],
    ['a wrong token', { headerToken: 'tok-124' }, { ok: false, reason: 'bad-token' }],
    ['a wrong token of another length', { headerToken: 'x' }, { ok: false, reason: 'bad-token' }],
    ['a cross-site fetch', { secFetchSite: 'cross-site' }, { ok: false, reason: 'cross-site' }],
    ['a same-site (other subdomain) fetch', { secFetchSite: 'same-site' }, { ok: false, reason: 'cross-site' }],
    ['another Origin', { secFetchSite: undefined, origin: 'https://evil.example' }, { ok: false, reason: 'cross-site' }],
    ['Origin "null"', { secFetchSite: undefined, origin: 'null' }, { ok: false, reason: 'cross-site' }],
    ['an old browser without Fetch Metadata or Origin, with the token', { secFetchSite: undefined, origin: undefined }, { ok: true }],
  ])('%s', (_name, change, verdict) => {
    expect(checkCsrf({ ...base, ...change })).toEqual(verdict)
  })
})
