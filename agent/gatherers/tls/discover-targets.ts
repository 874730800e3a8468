import type { Host } from '../../host/host.js'
import type { StartTlsProtocol } from '../../tls/starttls.js'
import { commandStdout, missing, ok, type Evidence } from '../evidence.js'
import { parseSs, type ListeningSocket } from '../network/listening-sockets.js'
import type { TlsProbeTarget } from './gather-tls.js'

/** Plaintext ports where mail and FTP servers offer STARTTLS (RFC 3207, 3501, 2595, 4217; 587: RFC 6409). */
const startTlsPorts: Record<number, StartTlsProtocol> = { 25: 'smtp', 587: 'smtp', 143: 'imap', 110: 'pop3', 21: 'ftp' }

export const listTcpListenersArgv = ['ss', '-H', '-tlnp'] as const

/** The node's listening TCP sockets as probe targets: one per port, on the address a local client reaches it by. */
export async function discoverTargets(host: Host, options: { exclude: readonly number[] }): Promise<Evidence<TlsProbeTarget[]>> {
  const listing = commandStdout(listTcpListenersArgv, await host.run(listTcpListenersArgv, { timeoutMs: 5_000 }))
  if (!listing.ok) return missing(`cannot list listening sockets: ${listing.reason}`)
  return ok(targetsFromListeners(parseSs(listing.value), options.exclude))
}

/**
 * Pure: listeners → targets. Wildcard sockets are reached on loopback (127.0.0.1 or ::1);
 * link-local and interface-bound addresses are skipped (a probe could not reach them
 * without the interface). Port 80 on the same address is the redirect check's HTTP port.
 */
export function targetsFromListeners(sockets: readonly ListeningSocket[], exclude: readonly number[]): TlsProbeTarget[] {
  const byPort = new Map<number, string>()
  const httpAddresses = new Set<string>()
  let httpEverywhere = false
  for (const socket of sockets) {
    if (socket.protocol !== 'tcp' || socket.boundInterface !== null) continue
    const address = probeAddress(socket.address)
    if (address === null) continue
    if (socket.port === 80) {
      httpAddresses.add(address)
      httpEverywhere ||= socket.address === '0.0.0.0' || socket.address === '::'
    }
    if (exclude.includes(socket.port)) continue
    const known = byPort.get(socket.port)
    // Prefer IPv4 loopback, then any IPv4, then IPv6: one probe per port.
    if (known === undefined || rankAddress(address) < rankAddress(known)) byPort.set(socket.port, address)
  }
  return [...byPort.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, address]) => ({
      host: address,
      port,
      servername: null,
      starttls: startTlsPorts[port] ?? null,
      httpPort: httpEverywhere || httpAddresses.has(address) ? 80 : null,
      discovered: true,
    }))
}

function probeAddress(address: string): string | null {
  if (address === '0.0.0.0') return '127.0.0.1'
  if (address === '::') return '::1'
  if (address.toLowerCase().startsWith('fe80:')) return null
  return address
}

function rankAddress(address: string): number {
  if (address === '127.0.0.1') return 0
  if (!address.includes(':')) return 1
  if (address === '::1') return 2
  return 3
}
