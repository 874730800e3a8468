import { once } from 'node:events'
import { createServer } from 'node:https'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { X509Certificate } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { loadOrCreateTlsIdentity } from '../../../../collector/certificate/self-signed-cert.js'

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('loadOrCreateTlsIdentity', () => {
  it('makes a self-signed P-256 server certificate once, key 0600, and serves TLS with it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-cert-'))
    const now = new Date()
    const first = await loadOrCreateTlsIdentity({ dataDir: dir, hostnames: ['collector.example'], now })
    const again = await loadOrCreateTlsIdentity({ dataDir: dir, now })
    expect(again.fingerprint).toBe(first.fingerprint)
    expect(first.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    expect(statSync(join(dir, 'tls', 'key.pem')).mode & 0o777).toBe(0o600)
    const cert = new X509Certificate(first.certPem)
    expect(cert.subjectAltName).toContain('DNS:collector.example')
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1')
    expect(cert.checkHost('localhost')).toBe('localhost')

    const server = createServer({ cert: first.certPem, key: first.keyPem }, (_req, res) => res.end('ok'))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, rejectUnauthorized: false })
    await once(socket, 'secureConnect')
    expect(socket.getPeerCertificate().fingerprint256).toBe(first.fingerprint)
    socket.destroy()
    server.close()
  })

  it('refuses half a configured pair', async () => {
    await expect(loadOrCreateTlsIdentity({ dataDir: '/nonexistent', certFile: '/x.pem', now: new Date() })).rejects.toThrow(/go together/)
  })
})
