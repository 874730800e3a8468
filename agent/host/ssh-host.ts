import { NodeSSH, type Config } from 'node-ssh'
import type { Client, ServerHostKeyAlgorithm } from 'ssh2'
import { PostureError, errorMessage } from '../../rules/posture-error.js'
import type { CommandResult, DirResult, FileResult, Host, ProbeResult, ReadOptions, Redactor, RemoteRedaction, RunOptions } from './host.js'
import { defaultMaxOutputBytes, defaultTimeoutMs } from './host.js'
import {
  changedHostKeyMessage,
  checkHostKey,
  describeHostKey,
  hostKeyAlgorithmsFor,
  hostKeyId,
  type HostKeyVerdict,
  type PinnedHostKey,
  type PresentedHostKey,
} from './known-hosts.js'
import { listDirArgv, remoteCommandLine } from './ssh-command-line.js'
import { SshExecChannels, type TransportFailure } from './ssh-exec-channels.js'
import { commandResultFrom, dirResultFrom, fileResultFrom } from './ssh-exec-result.js'
import { probeSide } from './ssh-probe-policy.js'
import { redactedReadArgv, redactedReadResultFrom } from './ssh-remote-redaction.js'

/**
 * A node reached over SSH (DESIGN.md, "Agentless"): the same Host seam as LocalHost, so the
 * gatherers run unchanged. Commands go through the remote shell with every argument
 * quoted (ssh-command-line.ts), files are read with `cat --`, directories listed by a
 * small sh script; results are mapped to LocalHost's codes and messages
 * (ssh-exec-result.ts). Authentication is by key or ssh-agent only; the host key is
 * checked against a pin (trust on first use) before anything is sent.
 *
 * Network probes run in this process, i.e. from the collector's side; probes that only
 * make sense on the node are refused with a reason (ssh-probe-policy.ts).
 *
 * Credentials are never logged or put in messages: errors name the user, host and port only.
 */
export interface SshTarget {
  host: string
  port: number
  username: string
}

export interface SshConnectOptions {
  target: SshTarget
  /** An unencrypted private key's text (OpenSSH or PEM). Protected keys belong in ssh-agent. */
  privateKey?: string
  /** The ssh-agent socket (SSH_AUTH_SOCK). */
  agent?: string
  /** The key pinned for this host, if any: anything else is refused. */
  pinned?: PinnedHostKey
  /** Run commands and file reads through `sudo -n`. */
  sudo?: boolean
  /** TCP connect plus SSH handshake and authentication. */
  connectTimeoutMs?: number
  /**
   * Commands in flight on the connection at once. OpenSSH refuses sessions beyond
   * MaxSessions (sshd_config(5), default 10); gatherers run side by side, so they queue.
   */
  maxChannels?: number
  /** Sees every byte the node sends back on exec channels, before anything parses it (tests prove secrets never cross). */
  onChannelData?: (chunk: Buffer) => void
}

/** How the host key compared with the pin when the connection was made. */
export interface HostKeySeen {
  id: string
  presented: PresentedHostKey
  /** `new`: nothing was pinned; the caller records the pin (trust on first use). */
  status: 'trusted' | 'new'
}

/** A changed host key: the scan is refused; `presented` is what the server showed. */
export class HostKeyChangedError extends PostureError {
  readonly hostKeyId: string
  readonly pinned: PinnedHostKey
  readonly presented: PresentedHostKey | null

  constructor(id: string, pinned: PinnedHostKey, presented: PresentedHostKey | null) {
    super(
      'HOST_KEY_CHANGED',
      presented
        ? changedHostKeyMessage(id, { status: 'changed', pinned, presented })
        : `host key for ${id} has changed: the server no longer offers the pinned ${pinned.keyType} key ${pinned.fingerprint}; scan refused`,
    )
    this.hostKeyId = id
    this.pinned = pinned
    this.presented = presented
  }
}

export const defaultConnectTimeoutMs = 10_000
export const defaultMaxChannels = 8

export class SshHost implements Host {
  readonly description: string
  readonly hostKey: HostKeySeen
  readonly #ssh: NodeSSH
  readonly #client: Client
  readonly #sudo: boolean
  readonly #channels: SshExecChannels
  #closed: string | null = null

  private constructor(ssh: NodeSSH, client: Client, options: SshConnectOptions, hostKey: HostKeySeen) {
    const { username, host, port } = options.target
    this.description = `ssh:${username}@${host}${port === 22 ? '' : `:${port}`}`
    this.hostKey = hostKey
    this.#ssh = ssh
    this.#client = client
    this.#sudo = options.sudo ?? false
    this.#channels = new SshExecChannels(client, options.maxChannels ?? defaultMaxChannels, () => this.#closed, options.onChannelData)
    // node-ssh drops its error listener once connected: without ours, a reset connection
    // would be an uncaught 'error' event. Commands in flight see the channel close.
    client.on('error', (err) => {
      this.#closed ??= `connection failed: ${errorMessage(err)}`
    })
    client.on('close', () => {
      this.#closed ??= 'connection closed'
    })
  }

  /** Connects, checks the host key and authenticates; throws PostureError naming the cause. */
  static async connect(options: SshConnectOptions): Promise<SshHost> {
    const { host, port, username } = options.target
    if (!options.privateKey && !options.agent) {
      throw new PostureError('BAD_USAGE', `ssh ${username}@${host}:${port}: no key and no ssh-agent: give --key FILE or set SSH_AUTH_SOCK`)
    }
    const id = hostKeyId(host, port)
    // What the host verifier saw; a holder, since TypeScript does not track closure writes.
    const seen: { key: { presented: PresentedHostKey; verdict: HostKeyVerdict } | null; unreadable: string | null } = { key: null, unreadable: null }
    const config: Config = {
      host,
      port,
      username,
      readyTimeout: options.connectTimeoutMs ?? defaultConnectTimeoutMs,
      hostVerifier: (key: Buffer): boolean => {
        let presented: PresentedHostKey
        try {
          presented = describeHostKey(key)
        } catch (err) {
          seen.unreadable = errorMessage(err) // refuse a key we cannot even name
          return false
        }
        seen.key = { presented, verdict: checkHostKey(options.pinned, presented) }
        return seen.key.verdict.status !== 'changed'
      },
      ...(options.privateKey ? { privateKey: options.privateKey } : {}),
      ...(options.agent ? { agent: options.agent } : {}),
      ...(options.pinned ? { algorithms: { serverHostKey: pinnedAlgorithms(options.pinned) } } : {}),
      tryKeyboard: false,
    }
    const ssh = new NodeSSH()
    try {
      await ssh.connect(config)
    } catch (err) {
      ssh.dispose()
      const verdict = seen.key?.verdict
      if (verdict?.status === 'changed') throw new HostKeyChangedError(id, verdict.pinned, verdict.presented)
      if (seen.unreadable !== null) throw new PostureError('CONNECT_FAILED', `ssh ${username}@${host}:${port}: the server's host key is unreadable (${seen.unreadable}); refused`)
      // Only the pinned key type is offered (hostKeyAlgorithmsFor): a server without it
      // fails key exchange before showing any key, which is a changed key too.
      if (options.pinned && /no matching host key format/i.test(errorMessage(err))) throw new HostKeyChangedError(id, options.pinned, null)
      throw connectError(err, options)
    }
    const client = ssh.connection
    const verified = seen.key
    if (client === null || verified === null || verified.verdict.status === 'changed') {
      ssh.dispose()
      throw new PostureError('CONNECT_FAILED', `ssh ${username}@${host}:${port}: connection closed during the handshake`)
    }
    return new SshHost(ssh, client, options, { id, presented: verified.presented, status: verified.verdict.status })
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const command = remoteCommandLine(argv, { sudo: this.#sudo, ...(options.env ? { env: options.env } : {}) })
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs
    const maxOutputBytes = options.maxOutputBytes ?? defaultMaxOutputBytes
    const raw = await this.#channels.exec(command, timeoutMs, maxOutputBytes)
    const what = argv.join(' ')
    if ('error' in raw) return transportFailure(raw, what, { timeoutMs, maxOutputBytes, overflow: `${what}: output exceeded ${maxOutputBytes} bytes` })
    const result = commandResultFrom(argv, raw, this.#sudo)
    if ('error' in result || !options.redact) return result
    return { ...result, stdout: options.redact(result.stdout) }
  }

  async readFile(path: string, options: ReadOptions = {}): Promise<FileResult> {
    const maxBytes = options.maxBytes ?? defaultMaxOutputBytes
    if (options.redact?.remote) return this.#readRedacted(path, options.redact, options.redact.remote, maxBytes)
    const raw = await this.#channels.exec(remoteCommandLine(['cat', '--', path], { sudo: this.#sudo }), defaultTimeoutMs, maxBytes)
    if ('error' in raw) {
      if (raw.error === 'EMAXBUFFER') return { error: 'EFBIG', message: `${path}: larger than ${maxBytes} bytes` }
      return transportFailure(raw, path, { timeoutMs: defaultTimeoutMs, maxOutputBytes: maxBytes, overflow: '' })
    }
    const result = fileResultFrom(path, raw, this.#sudo)
    if ('error' in result || !options.redact) return result
    return { content: options.redact(result.content) }
  }

  /** Redacts on the node (an awk program there): what crosses the connection is already redacted. */
  async #readRedacted(path: string, redact: Redactor, remote: RemoteRedaction, maxBytes: number): Promise<FileResult> {
    const raw = await this.#channels.exec(remoteCommandLine(redactedReadArgv(path, remote), { sudo: this.#sudo }), defaultTimeoutMs, maxBytes)
    if ('error' in raw) {
      if (raw.error === 'EMAXBUFFER') return { error: 'EFBIG', message: `${path}: larger than ${maxBytes} bytes` }
      return transportFailure(raw, path, { timeoutMs: defaultTimeoutMs, maxOutputBytes: maxBytes, overflow: '' })
    }
    const result = redactedReadResultFrom(path, raw, this.#sudo)
    return 'error' in result ? result : { content: redact(result.content) }
  }

  async listDir(path: string): Promise<DirResult> {
    const raw = await this.#channels.exec(remoteCommandLine(listDirArgv(path), { sudo: this.#sudo }), defaultTimeoutMs, defaultMaxOutputBytes)
    if ('error' in raw) return transportFailure(raw, path, { timeoutMs: defaultTimeoutMs, maxOutputBytes: defaultMaxOutputBytes, overflow: `${path}: listing exceeded ${defaultMaxOutputBytes} bytes` })
    return dirResultFrom(path, raw, this.#sudo)
  }

  async probe(key: string, perform: () => Promise<unknown>): Promise<ProbeResult> {
    const side = probeSide(key)
    if (side.side === 'node-only') return { error: 'ENOTSUP', message: `probe ${key} cannot run over SSH: ${side.reason}` }
    try {
      return { result: await perform() }
    } catch (err) {
      const code = (err as { code?: unknown }).code
      return { error: typeof code === 'string' ? code : 'EPROBE', message: errorMessage(err) }
    }
  }

  /** Closes the connection; commands still in flight end with ECONNRESET. */
  async close(): Promise<void> {
    if (this.#closed === 'connection closed' && !this.#ssh.isConnected()) return
    this.#closed ??= 'connection closed'
    await new Promise<void>((resolve) => {
      this.#client.once('close', () => resolve())
      this.#ssh.dispose()
      // A connection already gone emits no second 'close'.
      setImmediate(() => {
        if (!this.#ssh.isConnected()) resolve()
      })
    })
  }
}

/** Timeout and overflow worded as LocalHost words them; the others carry their own message. */
function transportFailure(failure: TransportFailure, what: string, limits: { timeoutMs: number; maxOutputBytes: number; overflow: string }): { error: string; message: string } {
  if (failure.error === 'ETIMEDOUT') return { error: 'ETIMEDOUT', message: `${what}: timed out after ${limits.timeoutMs} ms` }
  if (failure.error === 'EMAXBUFFER') return { error: 'EMAXBUFFER', message: limits.overflow }
  return { error: failure.error, message: `${what}: ${failure.message}` }
}

const serverHostKeyAlgorithms: readonly ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
  'ssh-dss',
]

function pinnedAlgorithms(pinned: PinnedHostKey): ServerHostKeyAlgorithm[] {
  const wanted = hostKeyAlgorithmsFor(pinned.keyType)
  return serverHostKeyAlgorithms.filter((a) => wanted.includes(a))
}

/** ssh2's connection errors as PostureErrors whose message says what to fix. */
function connectError(err: unknown, options: SshConnectOptions): PostureError {
  const { host, port, username } = options.target
  const where = `ssh ${username}@${host}:${port}`
  const { code, level } = err as { code?: unknown; level?: unknown }
  const message = errorMessage(err)
  if (level === 'client-authentication') {
    const tried = [options.privateKey ? 'the given key' : null, options.agent ? 'ssh-agent keys' : null].filter(Boolean).join(' and ')
    return new PostureError('AUTH_FAILED', `${where}: authentication failed (tried ${tried}; password and keyboard-interactive are never used)`, { cause: err })
  }
  if (level === 'client-timeout' || code === 'ETIMEDOUT') {
    return new PostureError('TIMEOUT', `${where}: no SSH handshake within ${options.connectTimeoutMs ?? defaultConnectTimeoutMs} ms`, { cause: err })
  }
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused (is sshd listening on that port?)',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ENOTFOUND: 'host name not found',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'connection reset during the handshake',
  }
  if (typeof code === 'string' && reasons[code] !== undefined) return new PostureError('CONNECT_FAILED', `${where}: ${reasons[code]}`, { cause: err })
  if (/privateKey|private key|passphrase/i.test(message)) {
    // ssh2's own wording names the problem ("Encrypted private OpenSSH key detected, but no
    // passphrase given", "Cannot parse privateKey: …"); it never includes key material.
    return new PostureError('BAD_INPUT', `${where}: unusable private key: ${message} (load protected keys into ssh-agent instead)`, { cause: err })
  }
  return new PostureError('CONNECT_FAILED', `${where}: ${message}`, { cause: err })
}
