import { waiverSchema, type Waiver } from '../../rules/waivers.js'
import type { Db } from '../store/sqlite-open.js'
import { waiversVersionKey, type WaiverStore } from './waiver-store.js'

/** Waivers in the collector's SQLite database (`waivers` table, migration 1); see waiver-store.ts. */
export class SqliteWaivers implements WaiverStore {
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

  async list(): Promise<Waiver[]> {
    return this.#s.list.all().map((r) => waiverSchema.parse(JSON.parse(r.spec)))
  }

  async get(id: string): Promise<Waiver | null> {
    const row = this.#s.get.get(id)
    return row ? waiverSchema.parse(JSON.parse(row.spec)) : null
  }

  async add(waiver: Waiver): Promise<void> {
    const spec = JSON.stringify(waiverSchema.parse(waiver))
    this.#db.transaction(() => {
      this.#s.insert.run(waiver.id, spec, waiver.created)
      this.#s.bump.run()
    }).immediate()
  }

  async remove(id: string): Promise<boolean> {
    return this.#db.transaction(() => {
      const removed = this.#s.remove.run(id).changes > 0
      if (removed) this.#s.bump.run()
      return removed
    }).immediate()
  }

  async bump(): Promise<void> {
    this.#s.bump.run()
  }

  async version(): Promise<number> {
    return Number(this.#s.version.get()?.value ?? '0')
  }
}
