import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { addKnownHost, defaultKnownHostsPath, readKnownHosts } from '../../../../agent/host/known-hosts-file.js'
import { checkHostKey, describeHostKey, hostKeyAlgorithmsFor, hostKeyId } from '../../../../agent/host/known-hosts.js'

// Public keys generated with ssh-keygen; fingerprints as `ssh-keygen -lf` printed them.
const ed25519 = 'AAAAC3NzaC1lZDI1NTE5AAAAIJ6H5KBYPcadhbdwKXSLZ3JfZsvS8/0LZ0+EZwCyhCCd'
const ed25519Fingerprint = 'SHA256:NgJrerRmHzdkZMSfxhpja/cFfCeQwipicbT/IhvjEh8'
const rsa =
  'AAAAB3NzaC1yc2EAAAADAQABAAAAgQDmu8AOrP+QpEngQlJUM0kaNJc20/GcO9jihO3AnRHHEZSjYLu+KGDQijkAqUKyalPTKiUn+iPLPbw+souA4R14ndD6nU8hpyVc16hN9VVj8Ft4a2dX4MmBnXZ/y87Ib+VODdcjHyNYQvidCwt7/h7jSSFHSGLJKgnghGuF11h3mw=='
const rsaFingerprint = 'SHA256:NqUv3ky5uaGkmCthdYOwYVArm9k5CYvFDNwAf8itTaU'

describe('describeHostKey', () => {
  it('reads the type and computes the OpenSSH SHA-256 fingerprint', () => {
    expect(describeHostKey(Buffer.from(ed25519, 'base64'))).toEqual({ keyType: 'ssh-ed25519', fingerprint: ed25519Fingerprint })
    expect(describeHostKey(Buffer.from(rsa, 'base64'))).toEqual({ keyType: 'ssh-rsa', fingerprint: rsaFingerprint })
  })

  it('refuses a blob that is not a key', () => {
    expect(() => describeHostKey(Buffer.from([0, 0]))).toThrow(RangeError)
    expect(() => describeHostKey(Buffer.from([0, 0, 1, 0, 1, 2]))).toThrow(RangeError)
  })
})

describe('hostKeyId', () => {
  it('follows OpenSSH known_hosts naming', () => {
    expect(hostKeyId('Node1.Example', 22)).toBe('node1.example')
    expect(hostKeyId('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222')
    expect(() => hostKeyId('x', 0)).toThrow(RangeError)
  })
})

describe('checkHostKey', () => {
  const pinned = { keyType: 'ssh-ed25519', fingerprint: ed25519Fingerprint, firstSeen: '2026-03-01T00:00:00.000Z' }
  it('is new without a pin, trusted on a match, changed otherwise', () => {
    expect(checkHostKey(undefined, { keyType: 'ssh-ed25519', fingerprint: ed25519Fingerprint })).toEqual({ status: 'new' })
    expect(checkHostKey(pinned, { keyType: 'ssh-ed25519', fingerprint: ed25519Fingerprint })).toEqual({ status: 'trusted' })
    const presented = { keyType: 'ssh-rsa', fingerprint: rsaFingerprint }
    expect(checkHostKey(pinned, presented)).toEqual({ status: 'changed', pinned, presented })
  })

  it('offers only the pinned key type, RSA with its SHA-2 signature names', () => {
    expect(hostKeyAlgorithmsFor('ssh-ed25519')).toEqual(['ssh-ed25519'])
    expect(hostKeyAlgorithmsFor('ssh-rsa')).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'])
  })
})

describe('known-hosts file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posture-known-hosts-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const pin = { keyType: 'ssh-ed25519', fingerprint: ed25519Fingerprint, firstSeen: '2026-03-01T00:00:00.000Z' }

  it('lives under XDG_CONFIG_HOME or ~/.config', () => {
    expect(defaultKnownHostsPath({}, '/home/ops')).toBe('/home/ops/.config/posture/known_hosts.json')
    expect(defaultKnownHostsPath({ XDG_CONFIG_HOME: '/cfg' }, '/home/ops')).toBe('/cfg/posture/known_hosts.json')
  })

  it('is empty before the first pin, then holds it (0600), and never replaces a pin', async () => {
    const path = join(dir, 'nested', 'known_hosts.json')
    expect(await readKnownHosts(path)).toEqual({})
    await addKnownHost(path, '[10.0.0.1]:2222', pin)
    await addKnownHost(path, '[10.0.0.1]:2222', { ...pin, fingerprint: rsaFingerprint })
    await addKnownHost(path, 'a.example', pin)
    expect(await readKnownHosts(path)).toEqual({ '[10.0.0.1]:2222': pin, 'a.example': pin })
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(path, 'utf8')).schema).toBe('posture.known-hosts/v1')
  })

  it('treats a corrupt file as an error, never as "no pins"', async () => {
    const path = join(dir, 'corrupt.json')
    writeFileSync(path, '{"schema":"posture.known-hosts/v1","hosts":{"x":{"keyType":"ssh-ed25519"}}}')
    await expect(readKnownHosts(path)).rejects.toMatchObject({ code: 'BAD_INPUT' })
    writeFileSync(path, 'not json')
    await expect(readKnownHosts(path)).rejects.toMatchObject({ code: 'BAD_INPUT' })
  })
})
