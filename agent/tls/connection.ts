import { lookup } from 'node:dns/promises'
import { connect, isIP, type Socket } from 'node:net'
import { PostureError } from '../../rules/posture-error.js'
import { negotiateStartTls, type StartTlsProtocol } from './starttls.js'

/** Where a probe connects: the address is resolved once, the name kept for SNI and checks. */
export interface Endpoint {
  /** As the user or config named it: a host name or an IP literal. */
  host: string
  address: string
  port: number
  /** SNI and certificate name; null for an IP target without --servername. */
  servername: string | null
  starttls: StartTlsProtocol | null
  /** Per connection: connect, STARTTLS dialog and the server's answer each fit in it. */
  timeoutMs: number
}

/** `host:port`, with IPv6 literals in brackets. */
export function formatTarget(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`
}

/**
 * Resolves a host name once. Names under `.invalid` fail at once without a lookup:
 * RFC 6761 §6.4 says resolvers should treat them as non-existent, and a scanner must
 * never send them to the network.
 */
export async function resolveHost(host: string): Promise<string> {
  if (isIP(host)) return host
  const name = host.toLowerCase().replace(/\.$/, '')
  if (name === 'invalid' || name.endsWith('.invalid')) {
    throw new PostureError('CONNECT_FAILED', `${host}: name does not resolve (ENOTFOUND: .invalid names never exist, RFC 6761)`)
  }
  try {
    return (await lookup(host)).address
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EAI_FAIL'
    throw new PostureError('CONNECT_FAILED', `${host}: name does not resolve (${code})`, { cause: err })
  }
}

/** The words for socket errors users see. */
const socketReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed by the server',
  EADDRNOTAVAIL: 'address not available',
}

export function describeSocketError(label: string, err: unknown): PostureError {
  if (err instanceof PostureError) return err
  const code = (err as NodeJS.ErrnoException).code
  const reason = (code && socketReasons[code]) ?? (err as Error).message
  return new PostureError('CONNECT_FAILED', `${label}: ${reason}${code ? ` (${code})` : ''}`, { cause: err })
}

/**
 * A TCP connection to the endpoint, through its STARTTLS dialog when it has one, ready
 * for TLS bytes. Throws PostureError: CONNECT_FAILED (refused, reset, STARTTLS refused)
 * or TIMEOUT. The socket is paused and has no listeners left.
 */
export function openConnection(endpoint: Endpoint): Promise<Socket> {
  const label = formatTarget(endpoint.host, endpoint.port)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: endpoint.address, port: endpoint.port, noDelay: true })
    const timer = setTimeout(() => {
      const stage = socket.connecting ? 'connecting' : 'in the STARTTLS dialog'
      socket.destroy(new PostureError('TIMEOUT', `${label}: no answer within ${endpoint.timeoutMs} ms (${stage})`))
    }, endpoint.timeoutMs)
    const fail = (err: unknown) => {
      clearTimeout(timer)
      socket.destroy()
      reject(describeSocketError(label, err))
    }
    socket.once('error', fail)
    socket.once('connect', () => {
      const dialog = endpoint.starttls ? negotiateStartTls(socket, endpoint.starttls, label) : Promise.resolve()
      dialog.then(
        () => {
          clearTimeout(timer)
          socket.off('error', fail)
          socket.pause()
          resolve(socket)
        },
        fail,
      )
    })
  })
}
