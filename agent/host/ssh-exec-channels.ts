import pLimit, { type LimitFunction } from 'p-limit'
import type { Client, ClientChannel } from 'ssh2'
import type { RawExec } from './ssh-exec-result.js'

/**
 * Runs command lines over one SSH connection for SshHost: at most `maxChannels` session
 * channels at once (OpenSSH refuses sessions beyond MaxSessions, sshd_config(5), default
 * 10, and gatherers run side by side), each bounded in time and output, stdin empty as
 * LocalHost's is /dev/null. Failures of the transport are values (`TransportFailure`),
 * worded by SshHost.
 */
export class SshExecChannels {
  readonly #client: Client
  readonly #channels: LimitFunction
  readonly #closedReason: () => string | null
  readonly #freedWaiters = new Set<() => void>()
  readonly #tap: ((chunk: Buffer) => void) | undefined

  /** `closedReason`: why the connection is gone, or null while it is up; `tap` sees every byte received. */
  constructor(client: Client, maxChannels: number, closedReason: () => string | null, tap?: (chunk: Buffer) => void) {
    this.#client = client
    this.#tap = tap
    this.#channels = pLimit(maxChannels)
    this.#closedReason = closedReason
  }

  /** One exec channel, bounded in time and output, queued behind the channel limit. */
  exec(command: string, timeoutMs: number, maxOutputBytes: number): Promise<RawExec | TransportFailure> {
    return this.#channels(() => this.#execNow(command, timeoutMs, maxOutputBytes))
  }

  async #execNow(command: string, timeoutMs: number, maxOutputBytes: number): Promise<RawExec | TransportFailure> {
    const deadline = performance.now() + timeoutMs
    const opened = await this.#openSession(command, deadline)
    if ('error' in opened) return opened
    return this.#collect(opened, Math.max(0, deadline - performance.now()), maxOutputBytes)
  }

  /**
   * Opens a session channel and starts the command. sshd frees a session slot a moment
   * after we see its channel close, so a busy connection can be refused a session even
   * within the limit: then wait for one of ours to close (or 200 ms) and ask again, until
   * the command's own deadline.
   */
  async #openSession(command: string, deadline: number): Promise<OpenedSession | TransportFailure> {
    for (;;) {
      const closed = this.#closedReason()
      if (closed !== null) return { error: 'ECONNRESET', message: closed }
      const remaining = deadline - performance.now()
      if (remaining <= 0) return { error: 'ETIMEDOUT', message: '' }
      const attempt = await new Promise<OpenedSession | { refused: string } | TransportFailure>((resolve) => {
        let waiting = true
        const timer = setTimeout(() => {
          waiting = false
          resolve({ error: 'ETIMEDOUT', message: '' })
        }, remaining)
        this.#client.exec(command, (err, channel) => {
          clearTimeout(timer)
          if (!waiting) {
            channel?.close() // too late: the command already timed out
            return
          }
          waiting = false
          if (!err) resolve(watchSession(channel))
          else if (/open failed/i.test(err.message)) resolve({ refused: err.message })
          else resolve({ error: 'ECHANNEL', message: `cannot open an SSH session channel: ${err.message}` })
        })
      })
      if (!('refused' in attempt)) return attempt
      await this.#sessionFreed(Math.min(200, deadline - performance.now()))
    }
  }

  /** Resolves when any of our channels closes, or after `waitMs`. */
  #sessionFreed(waitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.#freedWaiters.delete(done)
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, waitMs))
      this.#freedWaiters.add(done)
    })
  }

  /** Reads a started command to its end, bounded in time and output. */
  #collect({ channel, exit }: OpenedSession, timeoutMs: number, maxOutputBytes: number): Promise<RawExec | TransportFailure> {
    return new Promise((resolve) => {
      let settled = false
      const finish = (result: RawExec | TransportFailure): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(result)
      }
      const abandon = (result: TransportFailure): void => {
        finish(result)
        // Ask the remote side to kill it (RFC 4254 §6.9; servers may ignore signals), then
        // close our end: sshd closes the session's pipes.
        try {
          channel.signal('KILL')
        } catch {
          // ssh2 throws when the channel is already closing: nothing more to stop.
        }
        channel.close()
      }
      const timer = setTimeout(() => abandon({ error: 'ETIMEDOUT', message: '' }), timeoutMs)
      const stdout: Buffer[] = []
      const stderr: Buffer[] = []
      let size = 0
      const collect = (sink: Buffer[]) => (chunk: Buffer) => {
        this.#tap?.(chunk)
        size += chunk.length
        if (size > maxOutputBytes) abandon({ error: 'EMAXBUFFER', message: '' })
        else if (!settled) sink.push(chunk)
      }
      channel.on('data', collect(stdout))
      channel.stderr.on('data', collect(stderr))
      channel.on('close', () => {
        for (const waiter of [...this.#freedWaiters]) waiter()
        if (exit.code === null && exit.signal === null) {
          finish({ error: 'ECONNRESET', message: this.#closedReason() ?? 'the channel closed without an exit status' })
          return
        }
        finish({ stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8'), exitCode: exit.code, signal: exit.signal })
      })
      channel.end() // stdin is empty, as LocalHost's is /dev/null
    })
  }
}

interface OpenedSession {
  channel: ClientChannel
  exit: { code: number | null; signal: string | null }
}

/**
 * Starts listening for the exit status at once, in the exec callback: a quick command's
 * exit-status, EOF and close can arrive in the same read as the exec confirmation, and ssh2
 * emits 'exit' only once, to whoever listens then (output is buffered by the stream).
 */
function watchSession(channel: ClientChannel): OpenedSession {
  const exit: OpenedSession['exit'] = { code: null, signal: null }
  channel.on('exit', (code: number | null, signalName?: string) => {
    exit.code = code
    exit.signal = signalName ?? null
  })
  return { channel, exit }
}

export type TransportFailure = { error: 'ETIMEDOUT' | 'EMAXBUFFER' | 'ECHANNEL' | 'ECONNRESET'; message: string }
