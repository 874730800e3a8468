import type { Logger } from 'pino'
import { protocolVersion, type NodeConfigMessage, type ReportMessage } from '../../agent/wire/messages.js'
import type { Facts } from '../../rules/facts/facts.js'
import { errorMessage } from '../../rules/posture-error.js'
import type { Labels, Store } from '../store/store.js'
import type { SessionHandlers, AgentSession } from '../ws/agent-session.js'
import type { IsolationProbesConfig } from './isolation-config.js'
import { probeTargetOf } from './probe-peer.js'
import { groupOf, planPeers, type DirectoryEntry } from './probe-plan.js'

/**
 * Collector-driven isolation probes (issue 5): keeps, per enrolled agent, what other groups
 * may probe on its node (from its latest report), and sends every connected agent its
 * `node-config` — its labels and its group's probe plan — after `welcome` and again
 * whenever a plan changes. Plans are computed once per group and sent only when they
 * differ from what the agent last got.
 */
export interface PlannerSessions {
  sessions(): AgentSession[]
}

export class IsolationPlanner {
  readonly #config: IsolationProbesConfig
  readonly #gateway: PlannerSessions
  readonly #log: Logger
  readonly #entries = new Map<string, DirectoryEntry>()
  readonly #sent = new WeakMap<AgentSession, string>()
  #timer: NodeJS.Timeout | null = null
  #closed = false

  constructor(config: IsolationProbesConfig, gateway: PlannerSessions, log: Logger) {
    this.#config = config
    this.#gateway = gateway
    this.#log = log
  }

  /** The agent said hello: send its node-config now. */
  connected(session: AgentSession): void {
    this.#sendTo(session, new Map())
  }

  /** A report of `agentId`'s node was stored: update its entry; re-plan when it changed. */
  observe(agentId: string, labels: Labels, hostname: string, facts: Facts): void {
    if (!this.#config.enabled) return
    const group = this.#groupOf(labels)
    // A node without a group is never a peer: nothing to keep (and nothing to parse per report).
    if (group === null) {
      if (this.#entries.delete(agentId)) this.#schedulePush()
      return
    }
    const target = probeTargetOf(facts, { maxAddresses: this.#config.maxAddressesPerNode, maxPorts: this.#config.maxPortsPerNode, publicAddresses: this.#config.publicAddresses })
    const entry: DirectoryEntry = { agentId, name: hostname, group, ...target }
    const before = this.#entries.get(agentId)
    this.#entries.set(agentId, entry)
    if (before === undefined || JSON.stringify(before) !== JSON.stringify(entry)) this.#schedulePush()
  }

  /** Fills the directory from the latest stored reports of nodes in a group (collector start; none read for a fleet without group labels). */
  async seed(store: Store): Promise<number> {
    let seeded = 0
    for (const node of await store.listNodes()) {
      if (this.#closed || !this.#config.enabled) break
      if (node.agentId === null || this.#entries.has(node.agentId) || this.#groupOf(node.labels) === null) continue
      const report = await store.latestReport(node.id)
      if (report === null || this.#entries.has(node.agentId)) continue
      this.observe(node.agentId, node.labels, report.node.hostname, report.facts)
      seeded++
    }
    return seeded
  }

  /** The node-config `session` gets now (its group's plan from `plans`, computed once per group). */
  nodeConfigFor(session: AgentSession, plans: Map<string, NodeConfigMessage['isolation']['peers']> = new Map()): NodeConfigMessage {
    const labels = session.agent.labels
    const group = this.#config.enabled ? this.#groupOf(labels) : null
    let peers: NodeConfigMessage['isolation']['peers'] = []
    if (group !== null) {
      peers = plans.get(group) ?? planPeers(group, this.#entries.values(), this.#config)
      plans.set(group, peers)
    }
    const groupLabel = labels[this.#config.groupLabel] === undefined && labels[this.#config.roleLabel] !== undefined ? this.#config.roleLabel : this.#config.groupLabel
    return { v: protocolVersion, type: 'node-config', labels: { ...labels }, isolation: { groupLabel, group, peers } }
  }

  close(): void {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
  }

  #groupOf(labels: Labels): string | null {
    return groupOf(labels, this.#config.groupLabel, this.#config.roleLabel)
  }

  #schedulePush(): void {
    if (this.#closed || this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#pushAll()
    }, this.#config.debounceMs)
    this.#timer.unref()
  }

  #pushAll(): void {
    const plans = new Map<string, NodeConfigMessage['isolation']['peers']>()
    let sent = 0
    for (const session of this.#gateway.sessions()) if (this.#sendTo(session, plans)) sent++
    if (sent > 0) this.#log.info({ agents: sent, groups: plans.size }, 'isolation probe plans sent')
  }

  #sendTo(session: AgentSession, plans: Map<string, NodeConfigMessage['isolation']['peers']>): boolean {
    const message = this.nodeConfigFor(session, plans)
    const text = JSON.stringify(message)
    if (this.#sent.get(session) === text) return false
    this.#sent.set(session, text)
    session.send(message)
    return true
  }
}

/**
 * Plugs the planner into the agent message handlers: node-config after each `welcome`, the
 * directory updated from each stored report; seeds from the store. Returns the cleanup.
 */
export function attachIsolationProbes(handlers: SessionHandlers, gateway: PlannerSessions, store: Store, config: IsolationProbesConfig, log: Logger): () => void {
  const planner = new IsolationPlanner(config, gateway, log)
  const hello = handlers.hello
  handlers.hello = async (session, message) => {
    await hello(session, message)
    planner.connected(session)
  }
  const report = handlers.report
  handlers.report = async (session, message: ReportMessage) => {
    await report(session, message)
    planner.observe(session.agent.id, session.agent.labels, message.node.hostname, message.facts)
  }
  planner.seed(store).then(
    (seeded) => log.debug({ seeded }, 'isolation directory seeded from stored reports'),
    (err: unknown) => log.error({ err: errorMessage(err) }, 'seeding the isolation directory failed'),
  )
  return () => planner.close()
}
