import { posix } from 'node:path'
import type { Host, ReadOptions } from '../../host/host.js'

/**
 * The node's configuration files as the access gatherer reads them: under `rootDir`
 * (`/` normally; a mounted image or a test tree otherwise). Answers are values: text,
 * absent (ENOENT — a normal answer for optional files), or a read failure with reason.
 */
export type NodeFile = { text: string } | { absent: true } | { failed: string }

export class NodeFiles {
  readonly #host: Host
  readonly #rootDir: string

  constructor(host: Host, rootDir: string) {
    this.#host = host
    this.#rootDir = rootDir
  }

  /** `path` as the host sees it. */
  resolve(path: string): string {
    return this.#rootDir === '/' ? path : posix.join(this.#rootDir, path)
  }

  async read(path: string, options?: ReadOptions): Promise<NodeFile> {
    const result = await this.#host.readFile(this.resolve(path), options)
    if ('content' in result) return { text: result.content }
    if (result.error === 'ENOENT' || result.error === 'ENOTDIR') return { absent: true }
    return { failed: this.#unrooted(result.message) }
  }

  /** Entry names, [] when the directory does not exist, or a failure reason. */
  async list(path: string): Promise<{ names: string[] } | { failed: string }> {
    const result = await this.#host.listDir(this.resolve(path))
    if ('entries' in result) return { names: result.entries }
    if (result.error === 'ENOENT' || result.error === 'ENOTDIR') return { names: [] }
    return { failed: this.#unrooted(result.message) }
  }

  /** Whether a directory exists (listable). */
  async isDirectory(path: string): Promise<boolean | { failed: string }> {
    const result = await this.#host.listDir(this.resolve(path))
    if ('entries' in result) return true
    if (result.error === 'ENOENT' || result.error === 'ENOTDIR') return false
    return { failed: this.#unrooted(result.message) }
  }

  /** Messages name the node's path, not the prefixed one. */
  #unrooted(message: string): string {
    return this.#rootDir === '/' ? message : message.split(this.#rootDir.replace(/\/$/, '')).join('')
  }
}

/** Text of a file, or '' when it is absent; failures collected in `problems`. */
export function textOrEmpty(file: NodeFile, problems: string[]): string {
  if ('text' in file) return file.text
  if ('failed' in file) problems.push(file.failed)
  return ''
}
