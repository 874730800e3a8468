import type { IngestItem, IngestResult, Store } from '../store/store.js'

/**
 * Group commit: reports that arrive while the previous batch is being written are stored
 * together in one transaction, and each is acked when its batch commits. Under load this
 * turns thousands of fsyncs into a few; idle, a report is written at once.
 */
export class IngestQueue {
  readonly #store: Store
  readonly #maxBatch: number
  #pending: { item: IngestItem; resolve: (r: IngestResult) => void; reject: (e: unknown) => void }[] = []
  #running = false
  #scheduled = false

  constructor(store: Store, maxBatch: number) {
    this.#store = store
    this.#maxBatch = maxBatch
  }

  submit(item: IngestItem): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item, resolve, reject })
      this.#schedule()
    })
  }

  /** Reports waiting for their batch. */
  get depth(): number {
    return this.#pending.length
  }

  #schedule(): void {
    if (this.#running || this.#scheduled) return
    this.#scheduled = true
    // setImmediate: let every frame already read from the sockets join this batch.
    setImmediate(() => {
      this.#scheduled = false
      void this.#flush()
    })
  }

  async #flush(): Promise<void> {
    if (this.#pending.length === 0) return
    this.#running = true
    const batch = this.#pending.splice(0, this.#maxBatch)
    try {
      const results = await this.#store.ingest(batch.map((p) => p.item))
      batch.forEach((p, i) => p.resolve(results[i] ?? { status: 'failed', error: 'no result' }))
    } catch (err) {
      for (const p of batch) p.reject(err)
    } finally {
      this.#running = false
      if (this.#pending.length > 0) this.#schedule()
    }
  }
}
