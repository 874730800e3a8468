import { open, readdir } from 'node:fs/promises'
import type { CommandResult, DirResult, FileResult, Host, ProbeResult, ReadOptions, RunOptions } from './host.js'
import { defaultMaxOutputBytes } from './host.js'
import { runCommand } from './run-command.js'
import { errorMessage } from '../../rules/posture-error.js'

const readChunkBytes = 64 * 1024

/** This machine, as the agent and `posture scan` see it. */
export class LocalHost implements Host {
  readonly description = 'local'

  async readFile(path: string, options: ReadOptions = {}): Promise<FileResult> {
    const maxBytes = options.maxBytes ?? defaultMaxOutputBytes
    try {
      // Read through a handle with a cap: /proc and /sys files report size 0, so a
      // stat-based limit would not work; files bigger than the cap are an error, not cut.
      const handle = await open(path, 'r')
      try {
        // A small read buffer, not zeroed (only what read() filled is copied out): a scan reads
        // hundreds of files at once, and 1 MiB zeroed per read cost CPU and left the agent's RSS
        // high after every scan (freed buffers fragment malloc's heap).
        const buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, readChunkBytes))
        const chunks: Buffer[] = []
        let total = 0
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
          if (bytesRead === 0) break
          total += bytesRead
          if (total > maxBytes) return { error: 'EFBIG', message: `${path}: larger than ${maxBytes} bytes` }
          chunks.push(Buffer.from(buffer.subarray(0, bytesRead)))
        }
        const content = Buffer.concat(chunks).toString('utf8')
        return { content: options.redact ? options.redact(content) : content }
      } finally {
        await handle.close()
      }
    } catch (err) {
      return fsError(path, err)
    }
  }

  async listDir(path: string): Promise<DirResult> {
    try {
      return { entries: (await readdir(path)).sort() }
    } catch (err) {
      return fsError(path, err)
    }
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const result = await runCommand(argv, options)
    if ('error' in result || !options.redact) return result
    return { ...result, stdout: options.redact(result.stdout) }
  }

  async probe(_key: string, perform: () => Promise<unknown>): Promise<ProbeResult> {
    try {
      return { result: await perform() }
    } catch (err) {
      const code = (err as { code?: unknown }).code
      return { error: typeof code === 'string' ? code : 'EPROBE', message: errorMessage(err) }
    }
  }
}

function fsError(path: string, err: unknown): { error: string; message: string } {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO'
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOTDIR: 'not a directory',
    EISDIR: 'is a directory',
  }
  return { error: code, message: `${path}: ${reasons[code] ?? errorMessage(err)}` }
}
