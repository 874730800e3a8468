import { EventEmitter } from 'node:events'
import type { CollectorMessage } from '../../agent/wire/messages.js'
import type { CollectorEvents } from '../collector-context.js'
import { presenceOf, type AgentPresence, type Cluster, type ClusterLockName, type LocalSessions } from './cluster.js'

/**
 * A cluster of one (SQLite, today's behaviour): events stay in this process, agents are
 * the local gateway's sessions, every claim is granted and this collector always leads.
 */
export class LocalCluster implements Cluster {
  readonly collectorId = 'local'
  readonly events = new EventEmitter<CollectorEvents>()
  readonly #sessions: LocalSessions
  readonly #locks = new Map<ClusterLockName, Promise<void>>()

  constructor(sessions: LocalSessions) {
    this.#sessions = sessions
  }

  async start(): Promise<void> {}

  async sendToAgent(agentId: string, message: CollectorMessage): Promise<boolean> {
    const session = this.#sessions.session(agentId)
    if (!session) return false
    session.send(message)
    return true
  }

  presence(agentId: string): AgentPresence | undefined {
    const session = this.#sessions.session(agentId)
    return session ? presenceOf(session, this.collectorId) : undefined
  }

  sessionOpened(): void {}
  sessionSeen(): void {}
  sessionClosed(): void {}

  async claimOnce(_name: string, _key: string): Promise<boolean> {
    return true
  }

  /** One collector: the lock is a queue in this process. */
  exclusively<T>(name: ClusterLockName, job: () => Promise<T>): Promise<T> {
    const run = (this.#locks.get(name) ?? Promise.resolve()).then(job)
    this.#locks.set(name, run.then(() => undefined, () => undefined))
    return run
  }

  leads(): boolean {
    return true
  }

  peers(): number {
    return 0
  }

  async liveMembers(): Promise<string[]> {
    return [this.collectorId]
  }

  async close(): Promise<void> {}
}
