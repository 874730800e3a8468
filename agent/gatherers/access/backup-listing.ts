/**
 * The newest backup of a source: from file modification times (`stat -c '%Y %n'`), from
 * `restic snapshots --json`, or from `borg list --json`. Times come back as ISO 8601 UTC
 * with millisecond precision (what the rule engine's `timestamp()` reads).
 */

export interface BackupListing {
  newest: string | null
  count: number
}

/** `EPOCH PATH` lines, as `stat -c '%Y %n'` prints them. */
export function parseStatLines(text: string): BackupListing {
  let newest = -Infinity
  let count = 0
  for (const line of text.split('\n')) {
    const match = /^(\d+)\s/.exec(line)
    if (!match) continue
    count++
    newest = Math.max(newest, Number.parseInt(match[1]!, 10))
  }
  return { newest: count === 0 ? null : new Date(newest * 1000).toISOString(), count }
}

/**
 * `restic snapshots --json`: an array of snapshots with RFC 3339 `time` (nanoseconds and
 * a zone offset, e.g. `2024-05-14T21:05:33.012345678+02:00`). Throws on anything else.
 */
export function parseResticSnapshots(json: string): BackupListing {
  const parsed: unknown = JSON.parse(json)
  if (!Array.isArray(parsed)) throw new TypeError('restic snapshots --json: expected a JSON array')
  return newestOf(parsed.map((s) => timeField(s, 'time')))
}

/**
 * `borg list --json REPO`: `{ archives: [{ name, start, time }] }`. Borg 1.x prints local
 * time without a zone, so the caller runs borg with TZ=UTC and zone-less times are read
 * as UTC; borg 2 adds the offset itself.
 */
export function parseBorgList(json: string): BackupListing {
  const parsed: unknown = JSON.parse(json)
  const archives = typeof parsed === 'object' && parsed !== null ? (parsed as { archives?: unknown }).archives : undefined
  if (!Array.isArray(archives)) throw new TypeError('borg list --json: expected an object with an archives list')
  return newestOf(archives.map((a) => timeField(a, 'time') ?? timeField(a, 'start')))
}

function timeField(record: unknown, key: string): string | null {
  if (typeof record !== 'object' || record === null) return null
  const value = (record as Record<string, unknown>)[key]
  return typeof value === 'string' ? value : null
}

function newestOf(times: readonly (string | null)[]): BackupListing {
  let newest = -Infinity
  let count = 0
  for (const time of times) {
    const ms = time === null ? Number.NaN : parseTimestamp(time)
    if (!Number.isFinite(ms)) continue
    count++
    newest = Math.max(newest, ms)
  }
  return { newest: count === 0 ? null : new Date(newest).toISOString(), count }
}

/** RFC 3339 with any number of fraction digits; zone-less means UTC. */
export function parseTimestamp(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim())
  if (!match) return Number.NaN
  const fraction = (match[2] ?? '').padEnd(3, '0').slice(0, 3)
  const zone = match[3] ?? 'Z'
  return Date.parse(`${match[1]}.${fraction}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`)
}

/**
 * How to list a glob with `find`: the directory before the first wildcard segment, and
 * the depth below it (null for `**`: any depth). `find -path` matches `*` across `/`,
 * so the depth bound keeps `dir/*.tar` from matching deeper files.
 */
export function planGlob(glob: string): { base: string; depth: number | null } | null {
  const segments = glob.split('/').filter(Boolean)
  const first = segments.findIndex((s) => /[*?[]/.test(s))
  if (first === -1) return null
  const base = '/' + segments.slice(0, first).join('/')
  const rest = segments.slice(first)
  return { base, depth: rest.includes('**') ? null : rest.length }
}
