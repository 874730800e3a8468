import type { CommandResult, DirResult, FileResult, Host, ProbeResult, ReadOptions, RunOptions } from './host.js'
import { commandKey } from './host.js'
import type { Snapshot } from '../snapshot.js'

/**
 * Replays a snapshot. Anything the snapshot did not record answers `ENOTRECORDED`, which
 * gatherers report as an `error` fact — never as a pass.
 */
export class SnapshotHost implements Host {
  readonly description: string
  readonly #snapshot: Snapshot

  constructor(snapshot: Snapshot, source: string) {
    this.#snapshot = snapshot
    this.description = `snapshot:${source}`
  }

  async readFile(path: string, options: ReadOptions = {}): Promise<FileResult> {
    const result = this.#snapshot.files[path]
    if (!result) return notRecorded(`file ${path}`)
    if ('error' in result || !options.redact) return result
    return { content: options.redact(result.content) }
  }

  async listDir(path: string): Promise<DirResult> {
    return this.#snapshot.dirs[path] ?? notRecorded(`directory ${path}`)
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const result = this.#snapshot.commands[commandKey(argv)]
    if (!result) return notRecorded(`command ${commandKey(argv)}`)
    if ('error' in result || !options.redact) return result
    return { ...result, stdout: options.redact(result.stdout) }
  }

  async probe(key: string): Promise<ProbeResult> {
    return this.#snapshot.probes[key] ?? notRecorded(`probe ${key}`)
  }
}

function notRecorded(what: string): { error: string; message: string } {
  return { error: 'ENOTRECORDED', message: `${what} is not in the snapshot` }
}
