import { createServer, type Server } from 'node:https'
import type { Socket } from 'node:net'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { getHttpsText } from '../../../../agent/dns/https-get.js'
import { createTrustStore, type TrustStore } from '../../../../agent/tls/trust-store.js'
import { createTestPki, type Identity, type TestPki } from '../../../helpers/dns-endpoints.js'

/** getHttpsText against real HTTPS servers on 127.0.0.1:0 with certificates from a test CA. */
let pki: TestPki
let trust: TrustStore
let server: Server | null = null
const sockets = new Set<Socket>()

beforeAll(async () => {
  pki = await createTestPki()
  trust = createTrustStore([pki.caPem])
})

afterEach(async () => {
  for (const s of sockets) s.destroy()
  sockets.clear()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = null
})

async function serve(identity: Identity, handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer({ cert: identity.certPem, key: identity.keyPem }, handler)
  server.on('connection', (s: Socket) => sockets.add(s))
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)))
}
const get = (url: string, port: number, maxBytes = 1024, timeoutMs = 2000) => getHttpsText(url, { address: '127.0.0.1', port, timeoutMs, trusted: trust.trusted, maxBytes })

describe('getHttpsText', () => {
  it('reads status, headers and body, with SNI and Host set to the URL host, and a trusted certificate', async () => {
    let seen: { host?: string; path?: string } = {}
    const port = await serve(await pki.issue(['mta-sts.example.test']), (req, res) => {
      seen = { host: req.headers.host, path: req.url }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('version: STSv1\n')
    })
    const answer = await get('https://mta-sts.example.test/.well-known/mta-sts.txt', port)
    expect(seen).toEqual({ host: 'mta-sts.example.test', path: '/.well-known/mta-sts.txt' })
    expect(answer).toMatchObject({ status: 200, body: 'version: STSv1\n', truncated: false, address: '127.0.0.1', certificate: { trusted: true, trustError: null, hostnameMatch: true } })
    expect(answer.headers['content-type']).toEqual(['text/plain'])
  })

  it('reports a self-signed certificate and a name mismatch instead of failing', async () => {
    let port = await serve(await pki.selfSigned(['example.test']), (_req, res) => res.end('x'))
    expect((await get('https://example.test/', port)).certificate).toEqual({ trusted: false, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT', hostnameMatch: true })
    await new Promise<void>((resolve) => server!.close(() => resolve()))
    for (const s of sockets) s.destroy()
    port = await serve(await pki.issue(['other.test']), (_req, res) => res.end('x'))
    expect((await get('https://example.test/', port)).certificate).toEqual({ trusted: true, trustError: null, hostnameMatch: false })
  })

  it('returns redirects without following them', async () => {
    const port = await serve(await pki.issue(['example.test']), (_req, res) => res.writeHead(301, { location: 'https://elsewhere.test/x' }).end())
    expect(await get('https://example.test/', port)).toMatchObject({ status: 301, headers: { location: ['https://elsewhere.test/x'] }, body: '' })
  })

  it('cuts a body longer than maxBytes and says so', async () => {
    const port = await serve(await pki.issue(['example.test']), (_req, res) => res.end('a'.repeat(100_000)))
    const answer = await get('https://example.test/', port, 1000)
    expect(answer.truncated).toBe(true)
    expect(answer.body).toHaveLength(1000)
  })

  it('times out on a server that never answers', async () => {
    const port = await serve(await pki.issue(['example.test']), () => undefined)
    await expect(get('https://example.test/', port, 1024, 300)).rejects.toMatchObject({ code: 'TIMEOUT', message: 'https://example.test/: no HTTPS response within 300 ms' })
  })
})
