import type { PgClient, PgPool } from './pg-pool.js'

/**
 * Runs `work` in one transaction on one pooled connection: COMMIT when it resolves,
 * ROLLBACK when it throws (then rethrows). Unlike SQLite's synchronous transactions, a
 * PostgreSQL transaction is awaited statement by statement; `work` must only await
 * queries on `client`, never other I/O, so transactions stay short.
 */
export async function withPgTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>, options: { isolation?: 'read committed' | 'repeatable read' | 'serializable' } = {}): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query(options.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}` : 'BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    try {
      await client.query('ROLLBACK')
    } catch (rollbackErr) {
      // The connection itself is gone: do not return it to the pool.
      broken = rollbackErr as Error
    }
    throw err
  } finally {
    client.release(broken)
  }
}

/**
 * Runs `work` inside a savepoint of the caller's transaction: on error, only its writes
 * are rolled back and the error is rethrown; the transaction stays usable.
 */
export async function withPgSavepoint<T>(client: PgClient, name: string, work: () => Promise<T>): Promise<T> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new RangeError(`savepoint name must be a lowercase SQL identifier, got ${JSON.stringify(name)}`)
  await client.query(`SAVEPOINT ${name}`)
  try {
    const result = await work()
    await client.query(`RELEASE SAVEPOINT ${name}`)
    return result
  } catch (err) {
    await client.query(`ROLLBACK TO SAVEPOINT ${name}`)
    throw err
  }
}
