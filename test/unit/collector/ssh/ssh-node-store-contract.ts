import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Backend } from '../../../../collector/store/backend.js'
import type { BackendUnderTest, OpenBackend } from '../store/backend-under-test.js'
import { parseSshNodeSpec } from '../../../../collector/ssh/ssh-node-spec.js'

export function describeSshNodeStoreContract(backendName: string, open: OpenBackend, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip ?? false)(`sshNodes contract: ${backendName}`, () => {
  let subject: BackendUnderTest
  let nodes: Backend['sshNodes']
  beforeEach(async () => {
    subject = await open()
    nodes = subject.backend.sshNodes
  })
  afterEach(async () => {
    await subject?.close()
  })

  const t0 = new Date('2026-11-23T10:00:00.000Z')


  it('registers a node with its address, key reference and labels, never a key', async () => {
    const spec = parseSshNodeSpec({ name: 'legacy-01', address: 'ops@10.0.4.17:2222', key: '/etc/posture/keys/fleet', sudo: true, labels: { env: 'prod' } })
    const added = await nodes.add(spec, t0)
    expect(added).toEqual({ ...spec, createdAt: t0.toISOString(), nodeId: null, lastScanAt: null, lastError: null })
    expect(added.target).toEqual({ username: 'ops', host: '10.0.4.17', port: 2222 })
    await expect(nodes.add(spec, t0)).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await nodes.recordScan('legacy-01', { nodeId: 'abc', at: t0, error: null })
    await nodes.recordScan('legacy-01', { nodeId: null, at: t0, error: 'connection refused' })
    expect(await nodes.get('legacy-01')).toMatchObject({ nodeId: 'abc', lastError: 'connection refused' })
    expect(await nodes.remove('legacy-01')).toBe(true)
    expect(await nodes.list()).toEqual([])
  })

  it.each([
    [{ name: 'x', address: 'ops@h', key: 'relative/key' }, /absolute path/],
    [{ name: 'x', address: 'not an address', key: 'agent' }, /ssh node: address:/],
    [{ name: 'X!', address: 'ops@h', key: 'agent' }, /ssh node: name:/],
    [{ name: 'x', address: 'ops@h', key: 'agent', password: 'hunter2' }, /unknown key password/],
  ])('refuses %j', (input, message) => {
    expect(() => parseSshNodeSpec(input)).toThrow(message)
  })

  it('pins on first use, never replaces a pin by itself, and trusts a refused key only by its fingerprint', async () => {
    const pins = nodes.pins(() => t0)
    const id = '[10.0.4.17]:2222'
    expect(await pins.get(id)).toBeUndefined()
    await pins.pin(id, { keyType: 'ssh-ed25519', fingerprint: 'SHA256:old', firstSeen: t0.toISOString() })
    await pins.pin(id, { keyType: 'ssh-ed25519', fingerprint: 'SHA256:other', firstSeen: t0.toISOString() })
    expect(await pins.get(id)).toEqual({ keyType: 'ssh-ed25519', fingerprint: 'SHA256:old', firstSeen: t0.toISOString() })

    await expect(nodes.trustRefused(id, 'SHA256:new', t0)).rejects.toThrow(/no refused key is recorded/)
    await nodes.recordRefused(id, { keyType: 'ssh-ed25519', fingerprint: 'SHA256:new' }, t0)
    expect(await nodes.hostKey(id)).toMatchObject({ fingerprint: 'SHA256:old', refused: { at: t0.toISOString(), keyType: 'ssh-ed25519', fingerprint: 'SHA256:new' } })
    await expect(nodes.trustRefused(id, 'SHA256:typo', t0)).rejects.toThrow(/is not the key that was refused/)
    const later = new Date('2026-11-24T00:00:00.000Z')
    expect(await nodes.trustRefused(id, 'SHA256:new', later)).toEqual({ keyType: 'ssh-ed25519', fingerprint: 'SHA256:new', firstSeen: later.toISOString() })
    expect(await nodes.hostKey(id)).toMatchObject({ fingerprint: 'SHA256:new', refused: null })
    expect(await nodes.forgetHostKey(id)).toBe(true)
    expect(await nodes.hostKeys()).toEqual([])
  })
})
}
