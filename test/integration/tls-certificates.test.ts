import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { hasTool, mozillaIntermediateCiphers, startHttpsServer, TestPki, type IssueOptions, type Running } from './tls-servers.js'
import { finding, postureTls, statusOf } from './tls-run.js'

/**
 * Certificate checks on real Node https servers with certificates made by `openssl ca` for
 * each case (back-dated, short-lived, self-signed, wrong name, weak key, SHA-1, missing
 * intermediate). Security level 0 on the server so that it agrees to load the weak ones.
 */
const hasOpenssl = hasTool('openssl')
if (!hasOpenssl) {
  if (process.env.CI) throw new Error('openssl is missing in CI (apt-get install openssl)')
  console.warn('SKIPPING the TLS certificate integration tests: the openssl CLI (used to make test certificates) is not installed')
}

let pki: TestPki
let rootOnly: string
let rootAndIntermediate: string
const running: Running[] = []

beforeAll(async () => {
  if (!hasOpenssl) return
  pki = await TestPki.create()
  rootOnly = join(pki.dir, 'root-only.pem')
  writeFileSync(rootOnly, pki.root.cert)
  rootAndIntermediate = join(pki.dir, 'root-and-intermediate.pem')
  writeFileSync(rootAndIntermediate, pki.root.cert + pki.intermediate.cert)
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()))
})
afterAll(() => pki?.close())

/** Serves a certificate issued with `options`; `chain: false` sends the leaf alone. */
async function probeCert(options: IssueOptions, { chain = true, ca = rootOnly, name = 'localhost' } = {}) {
  const leaf = await pki.issue(options)
  const server = await startHttpsServer({
    key: readFileSync(leaf.key),
    cert: chain ? leaf.chain : leaf.cert,
    minVersion: 'TLSv1.2',
    ciphers: `${mozillaIntermediateCiphers}:@SECLEVEL=0`,
    headers: [['Strict-Transport-Security', 'max-age=63072000']],
  })
  running.push(server)
  const run = await postureTls([`127.0.0.1:${server.port}`, '--servername', name, '--ca', ca, '--http-port', 'none', '--json'])
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  return { report: run.report!, certificate: run.report!.facts.tls!.endpoints![0]!.certificate!, grade: run.report!.facts.tls!.endpoints![0]!.grade! }
}

describe.skipIf(!hasOpenssl)('certificate checks on real servers', { timeout: 60_000 }, () => {
  it('a good certificate passes every certificate rule', async () => {
    const { report, certificate } = await probeCert({ name: 'localhost', ocspUrl: 'http://ocsp.test.invalid/' })
    for (const rule of ['tls.cert.expired', 'tls.cert.expiring', 'tls.cert.trusted', 'tls.cert.hostname', 'tls.cert.key-strength', 'tls.cert.signature', 'tls.cert.lifetime']) {
      expect(statusOf(report, rule), rule).toBe('pass')
    }
    expect(certificate).toMatchObject({ trusted: true, trustedBy: 'private', chainComplete: true, hostnameMatch: true, keyType: 'rsa', keyBits: 2048, signatureAlgorithm: 'ecdsa-with-SHA256' })
    expect(certificate.chain.map((c) => c.subject)).toEqual(['CN=localhost', 'CN=Posture Test Intermediate CA'])
    // It names an OCSP responder but the server staples nothing: Mozilla intermediate notices.
    expect(certificate).toMatchObject({ ocspUrl: 'http://ocsp.test.invalid/', ocspStapled: false })
    expect(report.facts.tls!.endpoints![0]!.mozilla!.intermediate.differences).toContain('no OCSP response stapled although the certificate names a responder (http://ocsp.test.invalid/)')
  })

  it('OCSP stapling: recorded when the server staples a response', async () => {
    const leaf = await pki.issue({ name: 'localhost', ocspUrl: 'http://ocsp.test.invalid/' })
    const server = await startHttpsServer({ key: readFileSync(leaf.key), cert: leaf.chain, ciphers: mozillaIntermediateCiphers, ocspResponse: Buffer.from('30030a0100', 'hex') })
    running.push(server)
    const run = await postureTls([`127.0.0.1:${server.port}`, '--servername', 'localhost', '--ca', rootOnly, '--http-port', 'none', '--json'])
    const endpoint = run.report!.facts.tls!.endpoints![0]!
    expect(endpoint.certificate).toMatchObject({ ocspUrl: 'http://ocsp.test.invalid/', ocspStapled: true })
    expect(endpoint.mozilla!.intermediate.differences.join('; ')).not.toMatch(/OCSP/)
  })

  it('expired: tls.cert.expired fails, the grade is T, the probe still succeeds', async () => {
    const { report, certificate, grade } = await probeCert({ name: 'localhost', from: -400, to: -3 })
    const expired = finding(report, 'tls.cert.expired')
    expect(expired.status).toBe('fail')
    expect(expired.message).toMatch(/^expired on \d{4}-\d\d-\d\dT.* \(CN=localhost\)$/)
    expect(statusOf(report, 'tls.cert.expiring')).toBe('na')
    expect(certificate).toMatchObject({ trusted: false, trustError: 'CERT_HAS_EXPIRED' })
    expect(certificate.daysRemaining).toBeLessThan(0)
    expect(grade.grade).toBe('T')
    expect(grade.caps.map((c) => c.reason)).toContain('certificate expired')
  })

  it('expiring in 10 days: tls.cert.expiring fails, expired passes', async () => {
    const { report } = await probeCert({ name: 'localhost', from: -80, to: 10 })
    const expiring = finding(report, 'tls.cert.expiring')
    expect(expiring.status).toBe('fail')
    expect(expiring.message).toMatch(/^expires in (9|10) days, on /)
    expect(statusOf(report, 'tls.cert.expired')).toBe('pass')
  })

  it('self-signed: not trusted, grade T', async () => {
    const { report, certificate, grade } = await probeCert({ name: 'localhost', issuer: 'self' })
    const trusted = finding(report, 'tls.cert.trusted')
    expect(trusted.status).toBe('fail')
    expect(trusted.message).toBe('not trusted: DEPTH_ZERO_SELF_SIGNED_CERT (self-signed), issued by CN=localhost')
    expect(certificate.selfSigned).toBe(true)
    expect(grade.grade).toBe('T')
  })

  it('wrong name: the hostname check fails, grade M', async () => {
    const { report, grade } = await probeCert({ name: 'other.example', sans: ['DNS:other.example'] })
    const hostname = finding(report, 'tls.cert.hostname')
    expect(hostname.status).toBe('fail')
    expect(hostname.message).toBe('the certificate names DNS:other.example, not localhost')
    expect(statusOf(report, 'tls.cert.trusted')).toBe('pass')
    expect(grade.grade).toBe('M')
  })

  it('RSA-1024: key strength fails and the grade is capped at B', async () => {
    const { report, grade } = await probeCert({ name: 'localhost', key: 'rsa1024' })
    const key = finding(report, 'tls.cert.key-strength')
    expect(key.status).toBe('fail')
    expect(key.message).toBe('rsa key of 1024 bits')
    expect(grade.caps).toContainEqual({ grade: 'B', reason: 'certificate key of 1024 bits' })
  })

  it('SHA-1 signed leaf: the signature rule fails, grade T', async () => {
    const { report, certificate, grade } = await probeCert({ name: 'localhost', md: 'sha1' })
    expect(certificate.signatureAlgorithm).toBe('ecdsa-with-SHA1') // the intermediate's key is EC
    const signature = finding(report, 'tls.cert.signature')
    expect(signature.status).toBe('fail')
    expect(signature.message).toBe('signed with ecdsa-with-SHA1 (CN=localhost)')
    expect(grade.grade).toBe('T')
  })

  it('incomplete chain: untrusted without the intermediate, "chain incomplete" with it in the store', async () => {
    const bare = await probeCert({ name: 'localhost' }, { chain: false })
    expect(bare.certificate).toMatchObject({ trusted: false, trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', chainComplete: null })
    expect(statusOf(bare.report, 'tls.cert.trusted')).toBe('fail')

    const helped = await probeCert({ name: 'localhost' }, { chain: false, ca: rootAndIntermediate })
    expect(helped.certificate).toMatchObject({ trusted: true, chainComplete: false })
    expect(helped.certificate.chain).toHaveLength(1)
    const trusted = finding(helped.report, 'tls.cert.trusted')
    expect(trusted.status).toBe('fail')
    expect(trusted.message).toMatch(/does not send its intermediate certificate/)
    expect(helped.grade.caps).toContainEqual({ grade: 'B', reason: 'incomplete certificate chain' })
  })

  it('lifetime: ten years is too long even for a private CA, two years is within its limit', async () => {
    const long = await probeCert({ name: 'localhost', from: -1, to: 3650 })
    const lifetime = finding(long.report, 'tls.cert.lifetime')
    expect(lifetime.status).toBe('fail')
    expect(lifetime.message).toMatch(/^valid for 3651 days .* over 1825 for a private or self-signed certificate$/)
    const twoYears = await probeCert({ name: 'localhost', from: -1, to: 730 })
    expect(statusOf(twoYears.report, 'tls.cert.lifetime')).toBe('pass')
  })

  it('an ECDSA P-256 certificate is strong', async () => {
    const { report, certificate } = await probeCert({ name: 'localhost', key: 'ec256' })
    expect(certificate).toMatchObject({ keyType: 'ec', keyBits: 256, keyCurve: 'prime256v1' })
    expect(statusOf(report, 'tls.cert.key-strength')).toBe('pass')
  })

  it('without --ca a private CA is not trusted', async () => {
    const leaf = await pki.issue({ name: 'localhost' })
    const server = await startHttpsServer({ key: readFileSync(leaf.key), cert: leaf.chain, ciphers: mozillaIntermediateCiphers })
    running.push(server)
    const run = await postureTls([`127.0.0.1:${server.port}`, '--servername', 'localhost', '--http-port', 'none', '--json'])
    expect(run.report!.facts.tls!.endpoints![0]!.certificate).toMatchObject({ trusted: false, trustError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' })
    expect(statusOf(run.report, 'tls.cert.trusted')).toBe('fail')
  })
})
