import type { CommandResult, DirResult, FileResult, Host, ProbeResult, ReadOptions, RunOptions } from './host.js'
import { commandKey } from './host.js'
import type { Snapshot } from '../snapshot.js'

/**
 * Wraps a live host and records every answer it gives, so that `posture gather` can
 * write a snapshot that replays exactly what the scan saw. Redaction happens in the
 * wrapped host, so the recording never holds what was redacted.
 */
export class RecordingHost implements Host {
  readonly description: string
  readonly #inner: Host
  readonly #files: Snapshot['files'] = {}
  readonly #dirs: Snapshot['dirs'] = {}
  readonly #commands: Snapshot['commands'] = {}
  readonly #probes: Snapshot['probes'] = {}

  constructor(inner: Host) {
    this.#inner = inner
    this.description = inner.description
  }

  async readFile(path: string, options?: ReadOptions): Promise<FileResult> {
    const result = await this.#inner.readFile(path, options)
    this.#files[path] = result
    return result
  }

  async listDir(path: string): Promise<DirResult> {
    const result = await this.#inner.listDir(path)
    this.#dirs[path] = result
    return result
  }

  async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const result = await this.#inner.run(argv, options)
    this.#commands[commandKey(argv)] = result
    return result
  }

  async probe(key: string, perform: () => Promise<unknown>): Promise<ProbeResult> {
    const result = await this.#inner.probe(key, perform)
    // Store the JSON form so that a replay sees exactly what a file would hold.
    this.#probes[key] = JSON.parse(JSON.stringify(result)) as ProbeResult
    return this.#probes[key]!
  }

  /** What was read so far, in the snapshot's shape. */
  recorded(): Pick<Snapshot, 'files' | 'dirs' | 'commands' | 'probes'> {
    return { files: { ...this.#files }, dirs: { ...this.#dirs }, commands: { ...this.#commands }, probes: { ...this.#probes } }
  }
}
