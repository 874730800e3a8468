import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { goodHeaders, hasTool, mozillaIntermediateCiphers, serverCatalogue, startHttpServer, startHttpsServer, TestPki, type CatalogueName, type Issued, type Running } from './tls-servers.js'
import { finding, postureTls, statusOf } from './tls-run.js'

/**
 * Protocol and cipher-suite enumeration against real servers on loopback: Node https,
 * Debian's openssl s_server and gnutls-serv (which still serves 3DES and RC4).
 * SSLv2/SSLv3 cannot be tested live: no TLS library on Debian 12 serves them any more
 * (OpenSSL 3 is built without SSLv3, GnuTLS 3.7 removed it); their hellos are unit-tested.
 */
const tools = { openssl: hasTool('openssl'), 'gnutls-serv': hasTool('gnutls-serv') }
for (const [tool, present] of Object.entries(tools)) {
  if (present) continue
  if (process.env.CI) throw new Error(`${tool} is missing in CI (apt-get install openssl gnutls-bin)`)
  console.warn(`SKIPPING the ${tool} TLS integration tests: ${tool} is not installed (apt-get install ${tool === 'openssl' ? 'openssl' : 'gnutls-bin'})`)
}
const available = (name: CatalogueName) => serverCatalogue[name].tool === null || tools[serverCatalogue[name].tool]

let pki: TestPki
let leaf: Issued
let caFile: string
const running: Running[] = []

beforeAll(async () => {
  pki = await TestPki.create()
  leaf = await pki.issue({ name: 'localhost' })
  caFile = join(pki.dir, 'ca-bundle.pem')
  writeFileSync(caFile, pki.root.cert)
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()))
})
afterAll(() => pki.close())

async function probe(name: CatalogueName, extra: string[] = []) {
  const server = await serverCatalogue[name].start(leaf)
  running.push(server)
  const result = await postureTls([`127.0.0.1:${server.port}`, '--servername', 'localhost', '--ca', caFile, '--http-port', 'none', '--json', ...extra])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const endpoint = result.report!.facts.tls!.endpoints![0]!
  return { result, report: result.report!, endpoint }
}

describe('TLS protocol and cipher enumeration on real servers', { timeout: 60_000 }, () => {
  it('a modern Node server passes every tls and http rule and grades A+', async () => {
    const server = await serverCatalogue['node-modern'].start(leaf)
    running.push(server)
    const http = await startHttpServer(`https://localhost:${server.port}/`)
    running.push(http)
    const { report, code, stdout } = await postureTls([`127.0.0.1:${server.port}`, '--servername', 'localhost', '--ca', caFile, '--http-port', String(http.port), '--json'])
    expect(code).toBe(0)
    const endpoint = report!.facts.tls!.endpoints![0]!
    expect(endpoint.protocols).toEqual(['TLSv1.2', 'TLSv1.3'])
    expect(endpoint.ciphers!.map((c) => `${c.protocol} ${c.name}`).sort()).toEqual(
      [
        'TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        'TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
        'TLSv1.2 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
        'TLSv1.3 TLS_AES_128_GCM_SHA256',
        'TLSv1.3 TLS_AES_256_GCM_SHA384',
        'TLSv1.3 TLS_CHACHA20_POLY1305_SHA256',
      ].sort(),
    )
    expect(endpoint.keyExchange!.groups).toEqual(expect.arrayContaining(['x25519', 'secp256r1']))
    expect(endpoint.grade).toMatchObject({ grade: 'A+', caps: [], warnings: [] })
    expect(endpoint.mozilla!.intermediate).toEqual({ compliant: true, differences: [] })
    const failing = report!.findings.filter((f) => f.status !== 'pass').map((f) => `${f.rule} ${f.status}: ${f.message}`)
    expect(failing).toEqual([])
    expect(report!.domains).toEqual(['tls', 'http'])
    expect(report!.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['tls.protocol.legacy-disabled', 'http.redirect-https', 'http.hsts.preload-ready']))
    expect(stdout).toContain('"schema": "posture.report/v1"')
  })

  it('prints a readable verdict without --json', async () => {
    const server = await serverCatalogue['node-modern'].start(leaf)
    running.push(server)
    const { stdout, code } = await postureTls([`127.0.0.1:${server.port}`, '--servername', 'localhost', '--ca', caFile, '--http-port', 'none'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^TLS 127\.0\.0\.1:\d+ \(https, name localhost\)/)
    expect(stdout).toMatch(/Grade\s+A\+/)
    expect(stdout).toMatch(/Protocols\s+SSLv2✗\s+SSLv3✗\s+TLSv1✗\s+TLSv1\.1✗\s+TLSv1\.2\s+TLSv1\.3/)
    expect(stdout).toMatch(/TLSv1\.3\n\s+TLS_AES_128_GCM_SHA256\s+128 bits\s+ECDHE x25519/)
    expect(stdout).toContain('trusted (private CA)')
    expect(stdout).toContain('max-age=63072000; includeSubDomains; preload')
    expect(stdout).toContain('Posture report for 127.0.0.1:')
    expect(stdout).toMatch(/pass\s+high\s+tls\.protocol\.legacy-disabled/)
  })

  it.skipIf(!available('openssl-legacy'))('TLS 1.0 and 1.1 enabled (openssl s_server): legacy protocols fail, grade capped at B', async () => {
    const { report, endpoint } = await probe('openssl-legacy')
    expect(endpoint.protocols).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'])
    expect(endpoint.ciphers!.some((c) => c.protocol === 'TLSv1' && c.name === 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA')).toBe(true)
    const legacy = finding(report, 'tls.protocol.legacy-disabled')
    expect(legacy.status).toBe('fail')
    expect(legacy.message).toBe('accepts TLSv1, TLSv1.1 (offered: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)')
    expect(statusOf(report, 'tls.protocol.tls13')).toBe('pass')
    expect(statusOf(report, 'tls.cipher.weak-disabled')).toBe('pass')
    expect(endpoint.grade!.grade).toBe('B')
    expect(statusOf(report, 'tls.grade')).toBe('fail')
    expect(statusOf(report, 'tls.mozilla.intermediate')).toBe('fail')
  })

  it('no TLS 1.3 (Node capped at 1.2): tls13 fails, grade A-', async () => {
    const { report, endpoint } = await probe('node-no-tls13')
    expect(endpoint.protocols).toEqual(['TLSv1.2'])
    expect(statusOf(report, 'tls.protocol.tls13')).toBe('fail')
    expect(statusOf(report, 'tls.protocol.legacy-disabled')).toBe('pass')
    expect(endpoint.grade).toMatchObject({ grade: 'A-', warnings: ['TLS 1.3 not offered'] })
    expect(statusOf(report, 'tls.grade')).toBe('pass')
  })

  it('an IPv6 literal target, [::1]:PORT, checked against the certificate\'s IP SANs', async () => {
    const v6 = await pki.issue({ name: 'v6', sans: ['IP:::1'] })
    const server = await startHttpsServer({ key: readFileSync(v6.key), cert: v6.chain, ciphers: mozillaIntermediateCiphers, headers: goodHeaders }, '::1')
    running.push(server)
    const run = await postureTls([`[::1]:${server.port}`, '--ca', caFile, '--http-port', 'none', '--json'])
    expect(run.stderr).toBe('')
    const endpoint = run.report!.facts.tls!.endpoints![0]!
    expect(endpoint).toMatchObject({ target: `[::1]:${server.port}`, address: '::1', servername: '::1', protocols: ['TLSv1.2', 'TLSv1.3'] })
    expect(endpoint.certificate).toMatchObject({ sans: ['IP:0:0:0:0:0:0:0:1'], hostnameMatch: true })
    expect(run.report!.facts.http!.sites![0]!.target).toBe(`https://[::1]:${server.port}/`)
  })

  it('TLS 1.3 only: the chain as sent comes from a handshake that trusts nothing', async () => {
    const { report, endpoint } = await probe('node-tls13-only')
    expect(endpoint.protocols).toEqual(['TLSv1.3'])
    expect(endpoint.secureRenegotiation).toBeNull()
    expect(endpoint.certificate!.chain.map((c) => c.subject)).toEqual(['CN=localhost', 'CN=Posture Test Intermediate CA'])
    expect(endpoint.certificate).toMatchObject({ trusted: true, chainComplete: true })
    // Modern only asks for an ECDSA key besides: the RSA leaf is signed by the EC intermediate.
    expect(endpoint.mozilla!.modern.differences).toEqual(['certificate key type rsa (modern wants ec)'])
    expect(statusOf(report, 'tls.protocol.legacy-disabled')).toBe('pass')
    expect(endpoint.grade!.grade).toBe('A+')
  })

  it.skipIf(!available('openssl-static-rsa'))('static-RSA suites (openssl s_server): forward secrecy fails, weak ciphers pass', async () => {
    const { report, endpoint } = await probe('openssl-static-rsa')
    expect(endpoint.ciphers!.map((c) => c.name).sort()).toEqual(['TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_256_GCM_SHA384'])
    const fs = finding(report, 'tls.cipher.forward-secrecy')
    expect(fs.status).toBe('fail')
    expect(fs.message).toContain('TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256')
    expect(statusOf(report, 'tls.cipher.weak-disabled')).toBe('pass')
    expect(endpoint.grade!.caps).toContainEqual({ grade: 'B', reason: 'no forward secrecy' })
  })

  it.skipIf(!available('openssl-everything'))('NULL and anonymous suites (openssl s_server with ALL:COMPLEMENTOFALL): weak, grade F', async () => {
    const { report, endpoint } = await probe('openssl-everything')
    const names = endpoint.ciphers!.map((c) => c.name)
    expect(names).toEqual(expect.arrayContaining(['TLS_RSA_WITH_NULL_SHA256', 'TLS_ECDHE_RSA_WITH_NULL_SHA', 'TLS_DH_anon_WITH_AES_256_GCM_SHA384', 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA']))
    const weak = finding(report, 'tls.cipher.weak-disabled')
    expect(weak.status).toBe('fail')
    expect(weak.message).toMatch(/TLS_RSA_WITH_NULL_SHA256/)
    expect(weak.message).toMatch(/TLS_DH_anon_WITH/)
    expect(endpoint.grade!.grade).toBe('F')
    expect(endpoint.grade!.caps.map((c) => c.reason)).toEqual(expect.arrayContaining(['anonymous (unauthenticated) cipher suites offered']))
  })

  it.skipIf(!available('gnutls-3des-rc4'))('3DES, RC4 and static RSA accepted (gnutls-serv): found although Node cannot offer them', async () => {
    const { report, endpoint } = await probe('gnutls-3des-rc4')
    expect(endpoint.protocols).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2'])
    const names = endpoint.ciphers!.map((c) => `${c.protocol} ${c.name}`)
    expect(names).toEqual(expect.arrayContaining(['TLSv1 TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'TLSv1.2 TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'TLSv1.2 TLS_RSA_WITH_RC4_128_SHA', 'TLSv1.2 TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA']))
    const weak = finding(report, 'tls.cipher.weak-disabled')
    expect(weak.status).toBe('fail')
    expect(weak.message).toMatch(/TLSv1\.2 TLS_RSA_WITH_3DES_EDE_CBC_SHA/)
    expect(weak.message).toMatch(/TLS_RSA_WITH_RC4_128_SHA/)
    expect(statusOf(report, 'tls.cipher.forward-secrecy')).toBe('fail')
    expect(statusOf(report, 'tls.protocol.legacy-disabled')).toBe('fail')
    expect(endpoint.grade!.grade).toBe('C')
    expect(endpoint.grade!.caps.map((c) => c.reason).join('; ')).toMatch(/SWEET32/)
  })

  it.skipIf(!available('gnutls-3des-only'))('a 3DES-only server Node cannot talk to: certificate read from the raw hello, checked by the fallback path validation', async () => {
    const { report, endpoint } = await probe('gnutls-3des-only')
    expect(endpoint.protocols).toEqual(['TLSv1.2'])
    expect(new Set(endpoint.ciphers!.map((c) => c.enc))).toEqual(new Set(['3DES']))
    expect(endpoint.certificate).toMatchObject({ subject: 'CN=localhost', trusted: true, trustedBy: 'private', hostnameMatch: true, ocspStapled: null })
    expect(endpoint.certificate!.chain.map((c) => c.subject)).toEqual(['CN=localhost', 'CN=Posture Test Intermediate CA'])
    expect(statusOf(report, 'tls.cipher.weak-disabled')).toBe('fail')
    expect(statusOf(report, 'tls.cert.trusted')).toBe('pass')
    // HTTPS on a port Node cannot handshake with: no HTTP facts, not a crash.
    expect(report.facts.http!.sites).toEqual([])
  })
})
