import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { hasTool, startStartTlsServer, TestPki, type Issued, type Running } from './tls-servers.js'
import { postureTls, statusOf } from './tls-run.js'

/**
 * STARTTLS: a tiny Node responder speaks SMTP/IMAP/POP3/FTP up to the upgrade and then TLS
 * (tls.TLSSocket). Every raw hello and the full handshake go through the dialog.
 */
const hasOpenssl = hasTool('openssl')
if (!hasOpenssl) {
  if (process.env.CI) throw new Error('openssl is missing in CI (apt-get install openssl)')
  console.warn('SKIPPING the STARTTLS integration tests: the openssl CLI (used to make test certificates) is not installed')
}

let pki: TestPki
let leaf: Issued
let caFile: string
const running: Running[] = []

beforeAll(async () => {
  if (!hasOpenssl) return
  pki = await TestPki.create()
  leaf = await pki.issue({ name: 'mail.test', sans: ['DNS:mail.test'] })
  caFile = join(pki.dir, 'root.pem')
  writeFileSync(caFile, pki.root.cert)
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()))
})
afterAll(() => pki?.close())

describe.skipIf(!hasOpenssl)('STARTTLS endpoints', { timeout: 60_000 }, () => {
  it('SMTP: the dialog checks 220/250 STARTTLS/220, then the endpoint is probed like any other', async () => {
    const server = await startStartTlsServer('smtp', { key: readFileSync(leaf.key), cert: leaf.chain })
    running.push(server)
    const run = await postureTls([`127.0.0.1:${server.port}`, '--starttls', 'smtp', '--servername', 'mail.test', '--ca', caFile, '--json'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const endpoint = run.report!.facts.tls!.endpoints![0]!
    expect(endpoint).toMatchObject({ service: 'smtp', starttls: 'smtp', protocols: ['TLSv1.2', 'TLSv1.3'], hsts: null })
    expect(endpoint.certificate).toMatchObject({ subject: 'CN=mail.test', trusted: true, hostnameMatch: true })
    expect(endpoint.ciphers!.length).toBeGreaterThan(3)
    // HSTS is not graded for mail: no warning for it.
    expect(endpoint.grade!.warnings).toEqual([])
    expect(run.report!.facts.http!.sites).toEqual([])
    expect(statusOf(run.report, 'http.hsts.present')).toBe('na')
    expect(statusOf(run.report, 'tls.cert.trusted')).toBe('pass')
  })

  it.each(['imap', 'pop3', 'ftp'] as const)('%s STARTTLS dialog', async (protocol) => {
    const server = await startStartTlsServer(protocol, { key: readFileSync(leaf.key), cert: leaf.chain })
    running.push(server)
    const run = await postureTls([`127.0.0.1:${server.port}`, '--starttls', protocol, '--servername', 'mail.test', '--ca', caFile, '--json'])
    expect(run.stderr).toBe('')
    expect(run.report!.facts.tls!.endpoints![0]).toMatchObject({ service: protocol, protocols: ['TLSv1.2', 'TLSv1.3'], certificate: { trusted: true } })
  })

  it('an SMTP server that does not offer STARTTLS: exit 3 naming the reply', async () => {
    const server = await startStartTlsServer('smtp', { key: readFileSync(leaf.key), cert: leaf.chain }, { offerStartTls: false })
    running.push(server)
    const run = await postureTls([`127.0.0.1:${server.port}`, '--starttls', 'smtp'])
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(/SMTP STARTTLS failed: expected EHLO reply listing STARTTLS, got "250-mail\.test \| 250-PIPELINING \| 250 8BITMIME"/)
  })

  it('a TLS port probed with --starttls: the greeting never comes, bounded by the timeout', async () => {
    const server = await startStartTlsServer('smtp', { key: readFileSync(leaf.key), cert: leaf.chain })
    running.push(server)
    // The responder greets with 220, but as IMAP we expect "* OK": a clear dialog error.
    const run = await postureTls([`127.0.0.1:${server.port}`, '--starttls', 'imap', '--timeout', '1s'])
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(/IMAP STARTTLS failed: expected greeting \(\* OK\), got "220 mail\.test ESMTP Posture"/)
  })
})
