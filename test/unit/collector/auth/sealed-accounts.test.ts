import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sealClearTotpSecrets, sealTotpSecrets } from '../../../../collector/auth/sealed-accounts.js'
import { SqliteAccounts } from '../../../../collector/auth/sqlite-accounts.js'
import { createTotpSecretBox, loadTotpKey, totpKeyFileName } from '../../../../collector/auth/totp-secret-box.js'
import { newTotpSecret } from '../../../../collector/auth/totp.js'
import { SqliteStore } from '../../../../collector/store/sqlite-store.js'
import { loadScoringPolicy } from '../../../../rules/load-rules.js'

/** TOTP secrets at rest: AES-256-GCM with a 0600 key file in the data directory. */
describe('TOTP secrets sealed at rest', () => {
  let dir: string
  let store: SqliteStore
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'posture-totp-key-'))
    store = new SqliteStore(join(dir, 'posture.db'), loadScoringPolicy())
  })
  afterEach(() => {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const rawSecret = (id: number) => (store.db.prepare('SELECT totp_secret AS s FROM users WHERE id = ?').get(id) as { s: string | null }).s
  const newUser = (accounts: SqliteAccounts, username: string) => accounts.create({ username, role: 'operator', passwordHash: 'x', mustChangePassword: false, createdAt: new Date().toISOString() })

  it('creates a 32-byte key file, mode 0600, once; and tightens one left readable', () => {
    const key = loadTotpKey(dir)
    const path = join(dir, totpKeyFileName)
    expect(key).toHaveLength(32)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(loadTotpKey(dir).equals(key)).toBe(true)
    chmodSync(path, 0o644)
    expect(loadTotpKey(dir).equals(key)).toBe(true)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    writeFileSync(path, Buffer.alloc(5))
    expect(() => loadTotpKey(dir)).toThrow(/must hold 32 bytes/)
  })

  it('seals with AES-256-GCM: random IV, tamper and wrong key refused, clear legacy values read as they are', () => {
    const box = createTotpSecretBox(loadTotpKey(dir))
    const a = box.seal('JBSWY3DPEHPK3PXP')
    expect(a).toMatch(/^enc:v1:[A-Za-z0-9+/=]+$/)
    expect(box.seal('JBSWY3DPEHPK3PXP')).not.toBe(a)
    expect(box.open(a)).toBe('JBSWY3DPEHPK3PXP')
    expect(box.open('JBSWY3DPEHPK3PXP')).toBe('JBSWY3DPEHPK3PXP')
    const raw = Buffer.from(a.slice('enc:v1:'.length), 'base64')
    raw[14]! ^= 1
    expect(() => box.open(`enc:v1:${raw.toString('base64')}`)).toThrow(/does not open/)
    expect(() => createTotpSecretBox(Buffer.alloc(32, 7)).open(a)).toThrow(/does not open/)
  })

  it('never stores a clear secret: enrolment, pending enrolment in a session, and clear rows sealed on read and at start', async () => {
    const box = createTotpSecretBox(loadTotpKey(dir))
    const plain = new SqliteAccounts(store.db)
    const accounts = sealTotpSecrets(plain, () => box)
    const secret = newTotpSecret()

    const alice = await newUser(plain, 'alice')
    await accounts.createSession({ idHash: 'h1', userId: alice, csrfToken: 'c', createdAt: 'now', lastSeen: 'now', ip: null, totpPending: null })
    await accounts.setTotpPending('h1', secret)
    const pending = (store.db.prepare("SELECT totp_pending AS p FROM sessions WHERE id_hash = 'h1'").get() as { p: string }).p
    expect(pending.startsWith('enc:v1:')).toBe(true)
    expect((await accounts.findSession('h1'))!.totpPending).toBe(secret)

    await accounts.enableTotp(alice, secret, 1, [])
    expect(rawSecret(alice)!.startsWith('enc:v1:')).toBe(true)
    expect(rawSecret(alice)).not.toContain(secret)
    expect((await accounts.findByUsername('alice'))!.totpSecret).toBe(secret)

    // Rows from before encryption: one sealed the first time it is read, the rest at start.
    const bob = await newUser(plain, 'bob')
    const carol = await newUser(plain, 'carol')
    await plain.enableTotp(bob, 'BOBSECRETBOBSECRET', 1, [])
    await plain.enableTotp(carol, 'CAROLSECRETCAROLSE', 1, [])
    expect((await accounts.findById(bob))!.totpSecret).toBe('BOBSECRETBOBSECRET')
    expect(rawSecret(bob)!.startsWith('enc:v1:')).toBe(true)
    expect(rawSecret(carol)).toBe('CAROLSECRETCAROLSE')
    expect(await sealClearTotpSecrets(plain, box)).toBe(1)
    expect(rawSecret(carol)!.startsWith('enc:v1:')).toBe(true)
    expect(await sealClearTotpSecrets(plain, box)).toBe(0)
    expect((await accounts.list()).map((a) => a.totpSecret)).toEqual([secret, 'BOBSECRETBOBSECRET', 'CAROLSECRETCAROLSE'])
  })
})
