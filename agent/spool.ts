import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { PostureError } from '../rules/posture-error.js'

/**
 * The agent's on-disk queue of reports not yet acknowledged (DESIGN.md, "Wire protocol",
 * Reports): written (and fsynced) before sending, deleted only on `ack`, read back in
 * `seq` order after a restart or reconnect. Bounded by count and bytes: when full, the
 * oldest entries go first and are counted in `dropped`, which the agent reports.
 *
 * One file per report, named `<seq, 12 digits>.<scanId as base64url>.json`, so the index
 * is rebuilt from names alone. Synchronous on purpose: a few writes per scan, and strict
 * ordering without locks.
 */
export interface SpoolLimits {
  maxReports: number
  maxBytes: number
}

export const defaultSpoolLimits: SpoolLimits = Object.freeze({ maxReports: 1_000, maxBytes: 256 * 1024 * 1024 })

export interface SpoolEntry {
  seq: number
  scanId: string
  bytes: number
}

interface Counters {
  nextSeq: number
  dropped: number
}

const countersFile = 'counters.json'
const entryPattern = /^(\d{12})\.([A-Za-z0-9_-]*)\.json$/

export class Spool {
  readonly dir: string
  readonly #limits: SpoolLimits
  readonly #entries: SpoolEntry[]
  #counters: Counters

  private constructor(dir: string, limits: SpoolLimits, entries: SpoolEntry[], counters: Counters) {
    this.dir = dir
    this.#limits = limits
    this.#entries = entries
    this.#counters = counters
  }

  /** Opens (creating) the spool in `dir`; half-written temporary files from a crash are removed. */
  static open(dir: string, limits: SpoolLimits = defaultSpoolLimits): Spool {
    if (limits.maxReports < 1 || limits.maxBytes < 1) throw new RangeError('spool limits must be at least 1')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const entries: SpoolEntry[] = []
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.tmp-')) {
        rmSync(join(dir, name), { force: true })
        continue
      }
      const match = entryPattern.exec(name)
      if (!match) continue
      entries.push({
        seq: Number(match[1]),
        scanId: Buffer.from(match[2]!, 'base64url').toString('utf8'),
        bytes: statSync(join(dir, name)).size,
      })
    }
    entries.sort((a, b) => a.seq - b.seq)
    const counters = readCounters(dir)
    // A counters file older than the entries (crash between writes) must not reuse a seq.
    const last = entries.at(-1)
    if (last && counters.nextSeq <= last.seq) counters.nextSeq = last.seq + 1
    return new Spool(dir, limits, entries, counters)
  }

  /** Reports waiting for an ack, oldest first. */
  entries(): readonly SpoolEntry[] {
    return [...this.#entries]
  }

  get pending(): number {
    return this.#entries.length
  }

  /** Reports dropped (oldest first) because the spool was full, since it was created. */
  get dropped(): number {
    return this.#counters.dropped
  }

  /** The seq the next appended report will get. */
  get nextSeq(): number {
    return this.#counters.nextSeq
  }

  /**
   * Writes a report durably and returns its entry. `body(seq)` makes the JSON text once the
   * seq is known. Drops the oldest entries first when the limits would be exceeded.
   */
  append(scanId: string, body: (seq: number) => string): SpoolEntry {
    const seq = this.#counters.nextSeq
    const text = body(seq)
    const bytes = Buffer.byteLength(text)
    if (bytes > this.#limits.maxBytes) throw new PostureError('BAD_INPUT', `report ${scanId} is ${bytes} bytes, larger than the whole spool (${this.#limits.maxBytes})`)
    this.#counters = { ...this.#counters, nextSeq: seq + 1 }
    writeCounters(this.dir, this.#counters)
    writeDurably(this.dir, fileName(seq, scanId), text)
    const entry = { seq, scanId, bytes }
    this.#entries.push(entry)
    this.#enforceLimits()
    return entry
  }

  read(entry: SpoolEntry): string {
    return readFileSync(join(this.dir, fileName(entry.seq, entry.scanId)), 'utf8')
  }

  /** Deletes the report acknowledged by `scanId`; false when it is not (or no longer) here. */
  remove(scanId: string): boolean {
    const index = this.#entries.findIndex((e) => e.scanId === scanId)
    if (index < 0) return false
    const [entry] = this.#entries.splice(index, 1)
    rmSync(join(this.dir, fileName(entry!.seq, entry!.scanId)), { force: true })
    return true
  }

  #enforceLimits(): void {
    let total = this.#entries.reduce((sum, e) => sum + e.bytes, 0)
    let dropped = 0
    while (this.#entries.length > this.#limits.maxReports || total > this.#limits.maxBytes) {
      const oldest = this.#entries.shift()!
      rmSync(join(this.dir, fileName(oldest.seq, oldest.scanId)), { force: true })
      total -= oldest.bytes
      dropped++
    }
    if (dropped > 0) {
      this.#counters = { ...this.#counters, dropped: this.#counters.dropped + dropped }
      writeCounters(this.dir, this.#counters)
    }
  }
}

function fileName(seq: number, scanId: string): string {
  return `${String(seq).padStart(12, '0')}.${Buffer.from(scanId).toString('base64url')}.json`
}

function readCounters(dir: string): Counters {
  let text: string
  try {
    text = readFileSync(join(dir, countersFile), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { nextSeq: 0, dropped: 0 }
    throw new PostureError('UNREADABLE', `${join(dir, countersFile)}: cannot read spool counters (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err })
  }
  const json = JSON.parse(text) as { nextSeq?: unknown; dropped?: unknown }
  const nextSeq = Number.isSafeInteger(json.nextSeq) ? (json.nextSeq as number) : 0
  const dropped = Number.isSafeInteger(json.dropped) ? (json.dropped as number) : 0
  return { nextSeq, dropped }
}

function writeCounters(dir: string, counters: Counters): void {
  writeDurably(dir, countersFile, JSON.stringify(counters))
}

/** Write to a temporary name, fsync, rename: a crash leaves the old file or the new one. */
function writeDurably(dir: string, name: string, text: string): void {
  const tmp = join(dir, `.tmp-${name}`)
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, join(dir, name))
}

