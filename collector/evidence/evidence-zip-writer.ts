import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import { finished } from 'node:stream/promises'
import { ZipFile } from 'yazl'
import { PostureError } from '../../rules/posture-error.js'
import type { ManifestFile } from './evidence-manifest.js'

/** Content for one archive entry: bytes, or a (possibly async) sequence of chunks. */
export type EntryContent = Buffer | string | Iterable<string | Buffer> | AsyncIterable<string | Buffer>

/**
 * Writes an evidence archive entry by entry, streaming (yazl): each entry's content is
 * pulled only when the zip reaches it, deflated and written out, and hashed on the way, so
 * a year of findings never sits in memory. `add` resolves once the entry is fully written
 * into the zip stream; its SHA-256 and size are then known for the manifest.
 */
export class EvidenceZipWriter {
  readonly #zip = new ZipFile()
  readonly #out: NodeJS.WritableStream
  readonly #done: Promise<void>
  readonly #mtime: Date
  readonly #files: ManifestFile[] = []
  readonly #names = new Set<string>()

  constructor(path: string, mtime: Date) {
    this.#mtime = mtime
    const out = createWriteStream(path, { mode: 0o600 })
    this.#out = out
    this.#done = finished(this.#zip.outputStream.pipe(out)).catch((err: unknown) => {
      throw new PostureError('CANNOT_WRITE', `${path}: cannot write the archive`, { cause: err })
    })
    // Surface a write error at the next await instead of as an unhandled rejection.
    this.#done.catch(() => undefined)
  }

  /** Adds an entry and records it for the manifest. */
  async add(path: string, content: EntryContent, description: string): Promise<ManifestFile> {
    if (this.#names.has(path)) throw new RangeError(`archive entry ${path} added twice`)
    this.#names.add(path)
    const hash = createHash('sha256')
    let bytes = 0
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        hash.update(chunk)
        bytes += chunk.length
        callback(null, chunk)
      },
    })
    const source = Readable.from(chunks(content), { objectMode: false })
    source.on('error', (err) => hashing.destroy(err))
    this.#zip.addReadStream(source.pipe(hashing), path, { mtime: this.#mtime, mode: 0o100644, compress: true })
    await Promise.race([finished(hashing), this.#done])
    const file: ManifestFile = { path, sha256: hash.digest('hex'), bytes, description }
    this.#files.push(file)
    return file
  }

  /** Adds an entry that the manifest does not list (the manifest and its signature). */
  addUnlisted(path: string, content: Buffer): void {
    if (this.#names.has(path)) throw new RangeError(`archive entry ${path} added twice`)
    this.#names.add(path)
    this.#zip.addBuffer(content, path, { mtime: this.#mtime, mode: 0o100644, compress: true })
  }

  files(): ManifestFile[] {
    return [...this.#files]
  }

  async close(): Promise<void> {
    this.#zip.end()
    await this.#done
  }

  /** Stops writing (after an error); the partial file is the caller's to remove. */
  abort(): void {
    this.#zip.outputStream.unpipe()
    ;(this.#out as NodeJS.WritableStream & { destroy(): void }).destroy()
  }
}

async function* chunks(content: EntryContent): AsyncGenerator<Buffer> {
  if (typeof content === 'string') {
    yield Buffer.from(content, 'utf8')
    return
  }
  if (Buffer.isBuffer(content)) {
    yield content
    return
  }
  for await (const chunk of content as AsyncIterable<string | Buffer>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    if (buffer.length > 0) yield buffer
  }
}
