import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Collector } from '../../collector/build-collector.js'
import { loadOrCreateTlsIdentity } from '../../collector/certificate/self-signed-cert.js'
import { loadOrCreateSigningKey, signingKeyPath } from '../../collector/evidence/signing-key.js'
import { closePgPool, openPgPool, type PgPool } from '../../collector/store/pg/pg-pool.js'
import { runPosture } from '../helpers/cli.js'
import { canRunPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js'
import { startCollector } from './collector-fixtures.js'

/**
 * Collectors on one real PostgreSQL must serve the same TLS certificate and sign with the
 * same evidence key: the first records both fingerprints; a later one with other files
 * refuses to start (in this process, and as the real CLI with exit 2), naming both
 * fingerprints and the files to copy from where; with the files copied, it starts.
 */
const hasPg = canRunPostgres()

describe.skipIf(!hasPg)('shared TLS certificate and signing key across collectors on PostgreSQL', () => {
  let server: TestPostgres
  let dir: string
  let pool: PgPool | undefined
  const collectors: Collector[] = []

  beforeAll(async () => {
    server = await startPostgres()
  }, 120_000)
  afterEach(async () => {
    for (const c of collectors.splice(0)) await c.close()
    if (pool) await closePgPool(pool)
    pool = undefined
    if (dir) rmSync(dir, { recursive: true, force: true })
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('records the first collector\'s fingerprints and refuses a second one with other files until they are copied', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-pg-shared-'))
    const database = await server.createDatabase()
    pool = openPgPool({ url: database })
    const a = await startCollector(join(dir, 'a'), { database })
    collectors.push(a)
    const keyA = loadOrCreateSigningKey(join(dir, 'a'))
    const { rows } = await pool.query<{ name: string; fingerprint: string; collector_id: string; paths: string[] }>('SELECT name, fingerprint, collector_id, paths FROM cluster_shared_files ORDER BY name')
    expect(rows).toEqual([
      { name: 'evidence-signing-key', fingerprint: keyA.fingerprint, collector_id: a.cluster.collectorId, paths: [join(dir, 'a', 'evidence-signing-key.pem')] },
      { name: 'tls-certificate', fingerprint: a.tls!.fingerprint, collector_id: a.cluster.collectorId, paths: [join(dir, 'a', 'tls', 'cert.pem'), join(dir, 'a', 'tls', 'key.pem')] },
    ])

    // B: a fresh data directory (its own self-signed certificate, no signing key).
    const b = join(dir, 'b')
    const refused = startCollector(b, { database })
    await expect(refused).rejects.toMatchObject({ code: 'BAD_CONFIG' })
    const message = await refused.then(() => '', (err: Error) => err.message)
    const tlsB = await loadOrCreateTlsIdentity({ dataDir: b, now: new Date() })
    expect(tlsB.fingerprint).not.toBe(a.tls!.fingerprint)
    expect(message).toContain(`TLS certificate: this collector has ${tlsB.fingerprint} (${join(b, 'tls', 'cert.pem')}, ${join(b, 'tls', 'key.pem')}); the cluster uses ${a.tls!.fingerprint}, recorded by collector ${a.cluster.collectorId}`)
    expect(message).toContain(`Copy from host `)
    expect(message).toContain(`${join(dir, 'a', 'tls', 'cert.pem')} to ${join(b, 'tls', 'cert.pem')}; ${join(dir, 'a', 'tls', 'key.pem')} to ${join(b, 'tls', 'key.pem')}.`)
    expect(message).toContain(`evidence signing key: this collector has no such file (${signingKeyPath(b)}); the cluster uses ${keyA.fingerprint}`)
    expect(message).toContain(`${signingKeyPath(join(dir, 'a'))} to ${signingKeyPath(b)} (mode 0600).`)
    // A later collector's key is compared, never made: it would only be another wrong key.
    expect(existsSync(signingKeyPath(b))).toBe(false)

    // The operator copies both as told: B starts and serves A's certificate.
    cpSync(join(dir, 'a', 'tls'), join(b, 'tls'), { recursive: true })
    copyFileSync(signingKeyPath(join(dir, 'a')), signingKeyPath(b))
    const started = await startCollector(b, { database })
    collectors.push(started)
    expect(started.tls!.fingerprint).toBe(a.tls!.fingerprint)
  }, 120_000)

  it('the real CLI exits 2 naming only the file that differs (here the certificate)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-pg-shared-'))
    const database = await server.createDatabase()
    const a = await startCollector(join(dir, 'a'), { database })
    collectors.push(a)
    const keyA = loadOrCreateSigningKey(join(dir, 'a'))
    // C has A's signing key but a certificate of its own, given with --tls-cert/--tls-key.
    const c = join(dir, 'c')
    mkdirSync(c, { mode: 0o700 })
    copyFileSync(signingKeyPath(join(dir, 'a')), signingKeyPath(c))
    const other = await loadOrCreateTlsIdentity({ dataDir: join(dir, 'other'), now: new Date() })
    const run = await runPosture(['collector', '--database', database, '--data', c, '--listen', '127.0.0.1:0', '--tls-cert', join(dir, 'other', 'tls', 'cert.pem'), '--tls-key', join(dir, 'other', 'tls', 'key.pem')])
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toContain('posture collector: this collector\'s files differ from those of the collectors already sharing this database')
    expect(run.stderr).toContain(`TLS certificate: this collector has ${other.fingerprint} (${join(dir, 'other', 'tls', 'cert.pem')}, ${join(dir, 'other', 'tls', 'key.pem')}); the cluster uses ${a.tls!.fingerprint}`)
    expect(run.stderr).toContain(`${join(dir, 'a', 'tls', 'cert.pem')} to ${join(dir, 'other', 'tls', 'cert.pem')}`)
    expect(run.stderr).not.toContain('evidence signing key:')
    expect(run.stderr).not.toContain(keyA.fingerprint)
    expect(run.stderr).not.toContain('listening on')
  }, 120_000)
})
