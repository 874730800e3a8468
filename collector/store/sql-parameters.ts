/**
 * Bound values collected as SQL conditions are written: `add(value)` keeps the value and
 * returns its placeholder in the dialect's style, so one condition builder serves both
 * backends (finding-conditions.ts).
 */
export type AddParameter = (value: unknown) => string

/** PostgreSQL: positional `$1, $2, …`, bound as an array in the order added. */
export function positionalParameters(): { values: unknown[]; add: AddParameter } {
  const values: unknown[] = []
  return { values, add: (value) => `$${values.push(value)}` }
}

/**
 * SQLite: named `@p0, @p1, …`, bound as an object. Named rather than `?`, so a condition
 * may appear in the text more than once (sqlite-explorer.ts repeats it per rule) and the
 * statement text, which keys the prepared-statement cache, depends only on which
 * conditions are present.
 */
export function namedParameters(): { values: Record<string, unknown>; add: AddParameter } {
  const values: Record<string, unknown> = {}
  let next = 0
  return {
    values,
    add: (value) => {
      const name = `p${next++}`
      values[name] = value
      return `@${name}`
    },
  }
}
