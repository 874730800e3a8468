import { describe, expect, it } from 'vitest'
import { checkCollectorFrame } from '../../../../agent/wire/check-collector-message.js'
import { collectorMessageSchema } from '../../../../agent/wire/messages.js'
import { parseFrame } from '../../../../agent/wire/parse-frame.js'
import { rulesDigest } from '../../../../agent/wire/rules-digest.js'

/**
 * The idle agent's hand-written check must give the same verdict as the wire schema
 * (collectorMessageSchema) on every frame: valid ones pass unchanged, invalid ones are
 * refused for the same reason (BAD_JSON / UNSUPPORTED_VERSION / BAD_MESSAGE).
 */
const files = { 'site.yaml': '- id: x\n' }
const peer = { name: 'db-1', group: 'db', addresses: ['10.0.0.5', 'fd00::5'], ports: [22, 5432] }
const nodeConfig = { v: 1, type: 'node-config', labels: { role: 'web', 'network-group': 'web' }, isolation: { groupLabel: 'network-group', group: 'web', peers: [peer] } }

const valid: unknown[] = [
  { v: 1, type: 'welcome', agentId: 'a1', collectorVersion: '0.1.0', rulesVersion: '2026.11.0+abc', heartbeatMs: 30000 },
  { v: 1, type: 'ack', scanId: 's1', duplicate: false },
  { v: 1, type: 'scan' },
  { v: 1, type: 'scan', scanId: 'x'.repeat(128), only: ['tls', 'system'] },
  { v: 1, type: 'rules', version: 'pack-1', digest: rulesDigest(files), files },
  { v: 1, type: 'rules', version: 'empty', digest: 'a'.repeat(64), files: {} },
  { v: 1, type: 'error', code: 'RATE_LIMITED', message: 'slow down' },
  nodeConfig,
  { ...nodeConfig, labels: {}, isolation: { groupLabel: 'role', group: null, peers: [] } },
]

const invalid: unknown[] = [
  { v: 2, type: 'ack', scanId: 's1', duplicate: false },
  { type: 'ack', scanId: 's1', duplicate: false },
  [1, 2],
  { v: 1, type: 'hello' },
  { v: 1, type: 'toString' },
  { v: 1 },
  { v: 1, type: 'welcome', agentId: 'a1', collectorVersion: '0.1.0', rulesVersion: 'r', heartbeatMs: 0 },
  { v: 1, type: 'welcome', agentId: 'a1', collectorVersion: '0.1.0', rulesVersion: 'r', heartbeatMs: 1.5 },
  { v: 1, type: 'welcome', agentId: 'a'.repeat(257), collectorVersion: '0.1.0', rulesVersion: 'r', heartbeatMs: 1 },
  { v: 1, type: 'ack', scanId: '', duplicate: false },
  { v: 1, type: 'ack', scanId: 's1', duplicate: 'no' },
  { v: 1, type: 'ack', scanId: 's1', duplicate: false, extra: 1 },
  { v: 1, type: 'scan', only: [] },
  { v: 1, type: 'scan', only: ['kernel'] },
  { v: 1, type: 'scan', scanId: 'x'.repeat(129) },
  { v: 1, type: 'scan', scanId: null },
  { v: 1, type: 'rules', version: 'p', digest: 'A'.repeat(64), files },
  { v: 1, type: 'rules', version: 'p', digest: 'a'.repeat(64), files: { '../evil.yaml': '' } },
  { v: 1, type: 'rules', version: 'p', digest: 'a'.repeat(64), files: { 'x.txt': '' } },
  { v: 1, type: 'rules', version: 'p', digest: 'a'.repeat(64), files: { 'x.yaml': 3 } },
  { v: 1, type: 'rules', version: 'p', digest: 'a'.repeat(64), files: [] },
  { v: 1, type: 'error', code: 'X', message: 'm'.repeat(4097) },
  { ...nodeConfig, extra: true },
  { ...nodeConfig, labels: { role: 5 } },
  { ...nodeConfig, labels: { ['k'.repeat(257)]: 'v' } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, extra: 1 } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, group: 3 } },
  { ...nodeConfig, isolation: { groupLabel: 'g', group: 'web' } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, peers: [{ ...peer, addresses: [] }] } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, peers: [{ ...peer, addresses: ['db.example.net'] }] } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, peers: [{ ...peer, addresses: ['10.0.0.256'] }] } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, peers: [{ ...peer, addresses: ['fe80::1%eth0'] }] } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, peers: [{ ...peer, ports: [0] }] } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, peers: [{ ...peer, ports: [65536] }] } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, peers: [{ ...peer, ports: [22.5] }] } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, peers: [{ ...peer, ports: [] }] } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, peers: [{ ...peer, name: undefined }] } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, peers: [{ ...peer, os: 'linux' }] } },
  { ...nodeConfig, isolation: { ...nodeConfig.isolation, peers: Array.from({ length: 1025 }, () => peer) } },
]

describe('checkCollectorFrame', () => {
  it.each(valid.map((m) => [JSON.stringify(m).slice(0, 80), m]))('accepts %s like the schema', (_name, message) => {
    const text = JSON.stringify(message)
    const schema = parseFrame(text, collectorMessageSchema)
    expect(schema.ok).toBe(true)
    expect(checkCollectorFrame(text)).toEqual({ ok: true, message: JSON.parse(text) })
  })

  it.each(invalid.map((m) => [JSON.stringify(m).slice(0, 80), m]))('refuses %s like the schema', (_name, message) => {
    const text = JSON.stringify(message)
    const schema = parseFrame(text, collectorMessageSchema)
    const checked = checkCollectorFrame(text)
    expect(schema.ok).toBe(false)
    expect(checked.ok).toBe(false)
    if (!checked.ok && !schema.ok) expect(checked.reason).toBe(schema.reason)
  })

  it('refuses text that is not JSON', () => {
    expect(checkCollectorFrame('{nope')).toMatchObject({ ok: false, reason: 'BAD_JSON' })
  })

  it('names the field it refused', () => {
    const result = checkCollectorFrame(JSON.stringify({ v: 1, type: 'ack', scanId: 's1', duplicate: 'no' }))
    expect(result).toEqual({ ok: false, reason: 'BAD_MESSAGE', detail: 'invalid message at duplicate: expected boolean' })
  })
})
