import { waiverSchema, type Waiver } from '../../rules/waivers.js'
import type { PgPool, PgQueryable } from '../store/pg/pg-pool.js'
import { withPgTransaction } from '../store/pg/pg-transaction.js'
import { waiversVersionKey, type WaiverStore } from './waiver-store.js'

/** Waivers on PostgreSQL (`waivers` table); see waiver-store.ts. */
export class PgWaivers implements WaiverStore {
  readonly #pool: PgPool

  constructor(pool: PgPool) {
    this.#pool = pool
  }

  async list(): Promise<Waiver[]> {
    const { rows } = await this.#pool.query<{ spec: string }>('SELECT spec FROM waivers ORDER BY id')
    return rows.map((r) => waiverSchema.parse(JSON.parse(r.spec)))
  }

  async get(id: string): Promise<Waiver | null> {
    const { rows } = await this.#pool.query<{ spec: string }>('SELECT spec FROM waivers WHERE id = $1', [id])
    return rows[0] ? waiverSchema.parse(JSON.parse(rows[0].spec)) : null
  }

  async add(waiver: Waiver): Promise<void> {
    const spec = JSON.stringify(waiverSchema.parse(waiver))
    await withPgTransaction(this.#pool, async (client) => {
      await client.query('INSERT INTO waivers (id, spec, created_at) VALUES ($1, $2, $3)', [waiver.id, spec, waiver.created])
      await bump(client)
    })
  }

  async remove(id: string): Promise<boolean> {
    return withPgTransaction(this.#pool, async (client) => {
      const removed = ((await client.query('DELETE FROM waivers WHERE id = $1', [id])).rowCount ?? 0) > 0
      if (removed) await bump(client)
      return removed
    })
  }

  async bump(): Promise<void> {
    await bump(this.#pool)
  }

  async version(): Promise<number> {
    const { rows } = await this.#pool.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [waiversVersionKey])
    return Number(rows[0]?.value ?? '0')
  }
}

async function bump(db: PgQueryable): Promise<void> {
  await db.query(
    `INSERT INTO settings (key, value) VALUES ($1, '1')
     ON CONFLICT (key) DO UPDATE SET value = (CAST(settings.value AS bigint) + 1)::text`,
    [waiversVersionKey],
  )
}
