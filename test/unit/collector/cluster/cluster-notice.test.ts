import { describe, expect, it } from 'vitest'
import { encodeNotice, parseNotice, type ClusterNotice } from '../../../../collector/cluster/cluster-notice.js'

describe('cluster notices', () => {
  it.each<ClusterNotice>([
    { o: 'c1', t: 'event', events: [{ name: 'report', nodeId: 'n1', scanId: 's1' }, { name: 'node-offline', nodeId: 'n2' }] },
    { o: 'c1', t: 'presence' },
    { o: 'c1', t: 'command', id: 'r1', agentId: 'a1', message: { v: 1, type: 'scan', scanId: '11111111-1111-4111-8111-111111111111', only: ['tls'] } },
    { o: 'c2', t: 'delivered', id: 'r1' },
    { o: 'c1', t: 'rules', version: '2026.11.0+99da70b24039' },
  ])('round-trips $t', (notice) => {
    expect(parseNotice(encodeNotice(notice))).toEqual(notice)
  })

  it.each([
    ['not JSON', '{'],
    ['an unknown kind', '{"o":"c","t":"reboot"}'],
    ['an event of an unknown name', '{"o":"c","t":"event","events":[{"name":"delete-all","nodeId":"n"}]}'],
    ['an empty event batch', '{"o":"c","t":"event","events":[]}'],
    ['a command that is not a collector message', '{"o":"c","t":"command","id":"r","agentId":"a","message":{"v":1,"type":"shell","cmd":"rm -rf /"}}'],
    ['no origin', '{"t":"presence"}'],
    ['a rules notice without a version', '{"o":"c","t":"rules"}'],
  ])('refuses %s', (_what, payload) => {
    expect(parseNotice(payload)).toBeNull()
  })

  it('refuses to build a payload PostgreSQL would reject (8,000 bytes or more)', () => {
    const events = Array.from({ length: 200 }, (_, i) => ({ name: 'report' as const, nodeId: `node-${i}`.padEnd(40, 'x'), scanId: `scan-${i}` }))
    expect(() => encodeNotice({ o: 'c', t: 'event', events })).toThrow(RangeError)
  })
})
