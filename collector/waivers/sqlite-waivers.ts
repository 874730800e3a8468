import { waiverSchema, type Waiver } from '../../rules/waivers.js'
import type { Db } from '../store/sqlite-open.js'

/**
 * Waivers in the collector's database (`waivers` table, migration 1), with the
 * `waivers.version` setting bumped in the same transaction as every change: the collector
 * re-scores when the version moves, whichever process made the change (API or CLI).
 */
export const waiversVersionKey = 'waivers.version'

export class SqliteWaivers {
  readonly #db: Db
  readonly #s

  constructor(db: Db) {
    this.#db = db
    this.#s = {
      list: db.prepare<[], { spec: string }>('SELECT spec FROM waivers ORDER BY id'),
      get: db.prepare<[string], { spec: string }>('SELECT spec FROM waivers WHERE id = ?'),
      insert: db.prepare('INSERT INTO waivers (id, spec, created_at) VALUES (?, ?, ?)'),
      remove: db.prepare('DELETE FROM waivers WHERE id = ?'),
      bump: db.prepare(`INSERT INTO settings (key, value) VALUES ('${waiversVersionKey}', '1')
        ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`),
      version: db.prepare<[], { value: string }>(`SELECT value FROM settings WHERE key = '${waiversVersionKey}'`),
    }
  }

  list(): Waiver[] {
    return this.#s.list.all().map((r) => waiverSchema.parse(JSON.parse(r.spec)))
  }

  get(id: string): Waiver | null {
    const row = this.#s.get.get(id)
    return row ? waiverSchema.parse(JSON.parse(row.spec)) : null
  }

  add(waiver: Waiver): void {
    const spec = JSON.stringify(waiverSchema.parse(waiver))
    this.#db.transaction(() => {
      this.#s.insert.run(waiver.id, spec, waiver.created)
      this.#s.bump.run()
    }).immediate()
  }

  remove(id: string): boolean {
    return this.#db.transaction(() => {
      const removed = this.#s.remove.run(id).changes > 0
      if (removed) this.#s.bump.run()
      return removed
    }).immediate()
  }

  /** Marks the waivers as changed without a row changing (a waiver expired): re-scores. */
  bump(): void {
    this.#s.bump.run()
  }

  version(): number {
    return Number(this.#s.version.get()?.value ?? '0')
  }
}
