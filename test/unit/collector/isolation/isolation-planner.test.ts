import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { nodeConfigMessageSchema, type CollectorMessage } from '../../../../agent/wire/messages.js'
import { isolationProbesConfigSchema } from '../../../../collector/isolation/isolation-config.js'
import { IsolationPlanner } from '../../../../collector/isolation/isolation-planner.js'
import type { AgentSession } from '../../../../collector/ws/agent-session.js'
import type { Store } from '../../../../collector/store/store.js'
import type { Facts } from '../../../../rules/facts/facts.js'

/** A connected agent as the planner sees it: its row's labels, and what it was sent. */
function session(id: string, labels: Record<string, string>): AgentSession & { sent: CollectorMessage[] } {
  const sent: CollectorMessage[] = []
  return { agent: { id, labels }, sent, send: (m: CollectorMessage) => sent.push(m) } as unknown as AgentSession & { sent: CollectorMessage[] }
}

const facts = (address: string, ports: number[]) =>
  ({ network: { interfaces: [{ target: 'eth1', addresses: [{ address, zone: 'private' }] }], managementListeners: ports.map((port) => ({ port, protocol: 'tcp' })) } }) as unknown as Facts

describe('IsolationPlanner', () => {
  const config = isolationProbesConfigSchema.parse({ debounceMs: 0 })
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5))

  it('sends labels and the group plan at hello, re-plans on a changed peer, and never re-sends an unchanged plan', async () => {
    const web = session('a-web', { 'network-group': 'web', dc: 'fra1' })
    const db = session('a-db', { role: 'db' })
    const planner = new IsolationPlanner(config, { sessions: () => [web, db] }, pino({ level: 'silent' }))
    planner.connected(web)
    planner.connected(db)
    expect(web.sent).toEqual([{ v: 1, type: 'node-config', labels: { 'network-group': 'web', dc: 'fra1' }, isolation: { groupLabel: 'network-group', group: 'web', peers: [] } }])
    expect(db.sent[0]).toMatchObject({ isolation: { groupLabel: 'role', group: 'db', peers: [] } })
    for (const message of [...web.sent, ...db.sent]) expect(nodeConfigMessageSchema.safeParse(message).success).toBe(true)

    planner.observe('a-db', { role: 'db' }, 'db1', facts('10.0.2.1', [5432]))
    planner.observe('a-web', { 'network-group': 'web' }, 'web1', facts('10.0.1.1', []))
    await settle()
    expect(web.sent).toHaveLength(2)
    expect(web.sent[1]).toMatchObject({ isolation: { group: 'web', peers: [{ name: 'db1', group: 'db', addresses: ['10.0.2.1'], ports: [5432] }] } })
    // web offers no management port: db's plan is still empty, so nothing is re-sent.
    expect(db.sent).toHaveLength(1)

    planner.observe('a-db', { role: 'db' }, 'db1', facts('10.0.2.1', [5432]))
    await settle()
    expect(web.sent).toHaveLength(2)
    planner.close()
  })

  it('a node without a group label gets its labels and no plan; disabled probes plan nothing', () => {
    const plain = session('a-x', { dc: 'fra1' })
    const planner = new IsolationPlanner(config, { sessions: () => [plain] }, pino({ level: 'silent' }))
    planner.observe('a-db', { role: 'db' }, 'db1', facts('10.0.2.1', [5432]))
    expect(planner.nodeConfigFor(plain).isolation).toEqual({ groupLabel: 'network-group', group: null, peers: [] })
    const off = new IsolationPlanner(isolationProbesConfigSchema.parse({ enabled: false }), { sessions: () => [] }, pino({ level: 'silent' }))
    off.observe('a-db', { role: 'db' }, 'db1', facts('10.0.2.1', [5432]))
    expect(off.nodeConfigFor(session('a-web', { 'network-group': 'web' })).isolation.group).toBeNull()
    planner.close()
    off.close()
  })

  it('seeds from the latest stored reports of grouped nodes only', async () => {
    const nodes = [
      { id: 'n-db', agentId: 'a-db', labels: { 'network-group': 'db' } },
      { id: 'n-plain', agentId: 'a-plain', labels: {} },
      { id: 'n-ssh', agentId: null, labels: { 'network-group': 'db' } },
    ]
    const read: string[] = []
    const store = {
      listNodes: async () => nodes,
      latestReport: async (id: string) => {
        read.push(id)
        return { node: { hostname: 'db1' }, facts: facts('10.0.2.1', [5432]) }
      },
    } as unknown as Store
    const planner = new IsolationPlanner(config, { sessions: () => [] }, pino({ level: 'silent' }))
    expect(await planner.seed(store)).toBe(1)
    expect(read).toEqual(['n-db'])
    expect(planner.nodeConfigFor(session('a-web', { 'network-group': 'web' })).isolation.peers).toEqual([{ name: 'db1', group: 'db', addresses: ['10.0.2.1'], ports: [5432] }])
    planner.close()
  })
})
