import type { Logger } from 'pino'
import { errorMessage } from '../../rules/posture-error.js'
import type { Store } from '../store/store.js'

type Touch = { lastSeen: string; agentVersion?: string; hostname?: string; intervalMs?: number }

/**
 * "Last seen", agent version and interval, written in one transaction every `everyMs`
 * instead of one commit per connection: 5,000 agents reconnecting after a collector
 * restart would otherwise cost 5,000 fsyncs. Losing a second of last-seen times in a
 * crash is harmless; reports are never buffered here.
 */
export class AgentTouches {
  readonly #store: Store
  readonly #log: Logger
  #pending = new Map<string, Touch>()
  #timer: NodeJS.Timeout | null = null

  constructor(store: Store, log: Logger, everyMs = 1_000) {
    this.#store = store
    this.#log = log
    this.#timer = setInterval(() => void this.flush(), everyMs)
    this.#timer.unref()
  }

  touch(agentId: string, seen: Touch): void {
    this.#pending.set(agentId, { ...this.#pending.get(agentId), ...seen })
  }

  async flush(): Promise<void> {
    if (this.#pending.size === 0) return
    const batch = this.#pending
    this.#pending = new Map()
    try {
      await this.#store.touchAgents(batch)
    } catch (err) {
      this.#log.warn({ err: errorMessage(err), agents: batch.size }, 'could not record agents last seen')
    }
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    await this.flush()
  }
}
