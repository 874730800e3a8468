import type { ZfsDevice, ZfsScan } from '../../../rules/facts/storage.js'

/** A row of `zpool list -H -p -o name,health,size,allocated,free,capacity`. */
export interface ZpoolListEntry {
  name: string
  health: string
  sizeBytes: number | null
  allocatedBytes: number | null
  freeBytes: number | null
  capacityPercent: number | null
}

export const zpoolListArgv = ['zpool', 'list', '-H', '-p', '-o', 'name,health,size,allocated,free,capacity'] as const

/** `-H` output is one pool per line, TAB-separated, `-` for an unknown value (zpool-list(8)). */
export function parseZpoolList(text: string): ZpoolListEntry[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name = '', health = '', size, allocated, free, capacity] = line.split('\t').map((f) => f.trim())
      return {
        name,
        health,
        sizeBytes: plainNumber(size),
        allocatedBytes: plainNumber(allocated),
        freeBytes: plainNumber(free),
        capacityPercent: plainNumber(capacity?.replace(/%$/, '')),
      }
    })
}

/** One pool block of `zpool status`. */
export interface ZpoolStatus {
  name: string
  state: string | null
  status: string | null
  action: string | null
  errors: string | null
  devices: ZfsDevice[]
  scan: ZfsScan | null
}

const keyLine = /^\s*(pool|id|state|status|action|see|scan|scrub|remove|checkpoint|config|errors):\s?(.*)$/
const sections = new Set(['logs', 'cache', 'spares', 'special', 'dedup'])

/**
 * Parses `zpool status` (zpool-status(8); samples in host-facts.md 2.3): per pool,
 * `key: value` paragraphs whose continuation lines are indented, and the `config:` tree
 * `NAME STATE READ WRITE CKSUM [note]`, nested by two spaces per level, with `logs`,
 * `cache`, `spares`, `special` and `dedup` sections (spares have a state and no counters).
 */
export function parseZpoolStatus(text: string): ZpoolStatus[] {
  const pools: { fields: Map<string, string[]> }[] = []
  let key: string | null = null
  for (const raw of text.split('\n')) {
    const match = keyLine.exec(raw)
    if (match) {
      key = match[1]!
      if (key === 'pool') pools.push({ fields: new Map() })
      const fields = pools.at(-1)?.fields
      fields?.set(key, match[2]!.trim() === '' ? [] : [key === 'config' ? raw : match[2]!.trim()])
      continue
    }
    if (key === null || raw.trim() === '') continue
    const fields = pools.at(-1)?.fields
    fields?.get(key)?.push(key === 'config' ? raw : raw.trim())
  }
  return pools.map(({ fields }) => {
    const text = (k: string) => (fields.has(k) ? fields.get(k)!.join(' ').replace(/\s+/g, ' ') || null : null)
    const scan = fields.get('scan') ?? fields.get('scrub')
    return {
      name: fields.get('pool')?.[0] ?? '',
      state: text('state'),
      status: text('status'),
      action: text('action'),
      errors: fields.has('errors') ? fields.get('errors')!.join('\n') : null,
      devices: parseConfig(fields.get('config') ?? []),
      scan: scan ? parseScan(scan.join('\n')) : null,
    }
  })
}

function parseConfig(lines: readonly string[]): ZfsDevice[] {
  const devices: ZfsDevice[] = []
  let section = 'data'
  let rootIndent: number | null = null
  for (const line of lines) {
    const tokens = line.trim().split(/\s+/)
    if (tokens[0] === '' || (tokens[0] === 'NAME' && tokens[1] === 'STATE')) continue
    const indent = line.replace(/\t/g, '        ').search(/\S/)
    rootIndent ??= indent
    if (tokens.length === 1 && sections.has(tokens[0]!)) {
      section = tokens[0]!
      continue
    }
    const [name, state = 'UNKNOWN', ...rest] = tokens
    const counters: (number | null)[] = []
    while (counters.length < 3 && rest.length > 0 && counterPattern.test(rest[0]!)) counters.push(parseCounter(rest.shift()!))
    devices.push({
      name: name!,
      state,
      read: counters[0] ?? null,
      write: counters[1] ?? null,
      cksum: counters[2] ?? null,
      note: rest.length > 0 ? rest.join(' ') : null,
      depth: Math.max(0, Math.round((indent - rootIndent) / 2)),
      section,
    })
  }
  return devices
}

const counterPattern = /^\d+(?:\.\d+)?[KMGTPE]?$/
const counterScale: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 }

/** Error counters are printed humanised (`1.2K`) unless -p; the rules only ask "more than zero?". */
function parseCounter(token: string): number {
  const suffix = token.at(-1)!
  const scale = counterScale[suffix]
  return scale ? Number(token.slice(0, -1)) * scale : Number(token)
}

/**
 * The `scan:` paragraph (older releases: `scrub:`), e.g.
 * `scrub repaired 0B in 11:16:03 with 0 errors on Sun Feb 12 11:40:04 2023`,
 * `scrub in progress since Sun Jul 25 16:07:49 2021 … 36.00% done`, `scrub canceled on …`,
 * `resilvered 1.2G in 00:01:02 with 0 errors on …`, `none requested`.
 */
export function parseScan(text: string): ZfsScan {
  const flat = text.replace(/\s+/g, ' ').trim()
  const fn: ZfsScan['function'] = /^scrub\b/.test(flat) ? 'scrub' : /^resilver/.test(flat) ? 'resilver' : null
  let state: ZfsScan['state'] = 'none'
  if (/in progress since/.test(flat)) state = 'in-progress'
  else if (/paused since/.test(flat)) state = 'paused'
  else if (/canceled on/.test(flat)) state = 'canceled'
  else if (/(repaired|resilvered|completed).* on /.test(flat)) state = 'finished'
  const dateText = /(?:on|since) (\w{3} \w{3} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4})/.exec(flat)?.[1]
  const errors = /with (\d+) errors/.exec(flat)
  const progress = /([\d.]+)% done/.exec(flat)
  return {
    function: fn,
    state,
    at: dateText ? parseCtime(dateText) : null,
    errors: errors ? Number(errors[1]) : null,
    progressPercent: progress ? Number(progress[1]) : null,
    text: flat,
  }
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * ctime(3)-style dates (`Sun Feb 12 11:40:04 2023`) as ISO 8601. zpool prints local time
 * without a zone; it is read as UTC, at most a day off, which a 35-day scrub window absorbs.
 */
export function parseCtime(text: string): string | null {
  const match = /^\w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(text.trim())
  if (!match) return null
  const month = months.indexOf(match[1]!)
  if (month < 0) return null
  const [, , day, hh, mm, ss, year] = match.map(Number)
  return new Date(Date.UTC(year!, month, day!, hh!, mm!, ss!)).toISOString()
}

function plainNumber(value: string | undefined): number | null {
  return value !== undefined && /^\d+(?:\.\d+)?$/.test(value) ? Number(value) : null
}
