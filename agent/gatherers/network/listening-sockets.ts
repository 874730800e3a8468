import { normalizeAddress, parseAddress } from './address-class.js'

/**
 * Listening sockets from `ss -H -tulnp` (sock_diag netlink; exact) and, as the fallback,
 * /proc/net/{tcp,tcp6,udp,udp6} (cannot tell a device-bound or a v6-only socket apart:
 * read as the worst case, bound to every interface and to both families).
 */
export interface ListeningSocket {
  protocol: 'tcp' | 'udp'
  /** Canonical address: `0.0.0.0`, `::`, `10.0.0.1`, `2001:db8::1`. */
  address: string
  port: number
  boundInterface: string | null
  family: 'ipv4' | 'ipv6' | 'dual'
  processes: string[]
  source: 'ss' | 'proc'
}

const ssLine = /^(?:(tcp|udp)\s+)?(LISTEN|UNCONN)\s+\d+\s+\d+\s+(\S+)\s+\S+(?:\s+(.*))?$/

/**
 * `ss -H -tulnp` lines: `Netid State Recv-Q Send-Q Local:Port Peer:Port Process`; the
 * Netid column is absent when only one protocol was asked for (`ss -tlnpH`), then
 * LISTEN means TCP and UNCONN UDP. Local address forms (ss.c `inet_addr_print`):
 * `0.0.0.0:22`, `*:22` (a `::` socket with IPV6_V6ONLY off: IPv4 and IPv6), `[::]:22`
 * (v6-only), `ADDR%IFNAME:22` (SO_BINDTODEVICE), `[2001:db8::1]:443`; iproute2 before
 * 4.17 printed `:::22` for `[::]:22`. Process: `users:(("sshd",pid=1,fd=3),…)`, only
 * with enough privilege. Lines that are none of these are skipped.
 */
export function parseSs(text: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = []
  for (const raw of text.split('\n')) {
    const match = ssLine.exec(raw.trim())
    if (!match) continue
    const [, netid, state, local, process] = match
    const protocol = (netid ?? (state === 'LISTEN' ? 'tcp' : 'udp')) as 'tcp' | 'udp'
    const endpoint = parseSsEndpoint(local!)
    if (endpoint === null) continue
    sockets.push({ protocol, ...endpoint, processes: parseProcesses(process ?? ''), source: 'ss' })
  }
  return dedupe(sockets)
}

export function parseSsEndpoint(local: string): Pick<ListeningSocket, 'address' | 'port' | 'boundInterface' | 'family'> | null {
  const colon = local.lastIndexOf(':')
  if (colon <= 0) return null
  const port = Number(local.slice(colon + 1))
  if (!Number.isInteger(port) || port < 0 || port > 65535) return null
  let host = local.slice(0, colon)
  let boundInterface: string | null = null
  const percent = host.lastIndexOf('%')
  if (percent > 0 && !host.endsWith(']')) {
    boundInterface = host.slice(percent + 1)
    host = host.slice(0, percent)
  }
  if (host === '*') return { address: '::', port, boundInterface, family: 'dual' }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  const parsed = parseAddress(host)
  if (parsed === null) return null
  const address = parsed.toString()
  // `[::ffff:10.0.0.1]` is an IPv6 socket bound to an IPv4 address: it takes IPv4 only.
  return { address, port, boundInterface, family: parsed.kind() }
}

function parseProcesses(column: string): string[] {
  const names = [...column.matchAll(/\("((?:[^"\\]|\\.)*)",pid=\d+/g)].map((m) => m[1]!)
  return [...new Set(names)]
}

/** TCP_LISTEN (include/net/tcp_states.h); an unconnected bound UDP socket shows TCP_CLOSE. */
const tcpListen = 0x0a
const udpUnconnected = 0x07

/**
 * One of /proc/net/tcp, tcp6, udp, udp6: `sl local_address rem_address st …`. Addresses
 * are hex words in host byte order (little-endian on x86-64 and arm64: `0100007F` is
 * 127.0.0.1; IPv6 is four such words), the port big-endian hex. Only listening TCP and
 * unconnected UDP sockets are returned. Null when the header is missing.
 */
export function parseProcNet(text: string, protocol: 'tcp' | 'udp', littleEndian = true): ListeningSocket[] | null {
  const lines = text.split('\n')
  if (!/^\s*sl\s+local_address/.test(lines[0] ?? '')) return null
  const sockets: ListeningSocket[] = []
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 4 || !fields[0]!.endsWith(':')) continue
    const local = decodeProcEndpoint(fields[1]!, littleEndian)
    const remote = decodeProcEndpoint(fields[2]!, littleEndian)
    const state = Number.parseInt(fields[3]!, 16)
    if (local === null || remote === null) continue
    const listening = protocol === 'tcp' ? state === tcpListen : state === udpUnconnected && remote.port === 0
    if (!listening) continue
    const v6Any = local.address === '::'
    sockets.push({
      protocol,
      address: local.address,
      port: local.port,
      boundInterface: null,
      // /proc cannot show IPV6_V6ONLY: a `::` socket is read as taking IPv4 too.
      family: v6Any ? 'dual' : local.family,
      processes: [],
      source: 'proc',
    })
  }
  return dedupe(sockets)
}

/** `0100007F:0016` → 127.0.0.1 port 22; 32 hex digits for IPv6. */
export function decodeProcEndpoint(text: string, littleEndian = true): { address: string; port: number; family: 'ipv4' | 'ipv6' } | null {
  const [hex, portHex] = text.split(':')
  if (hex === undefined || portHex === undefined || !/^[0-9A-Fa-f]+$/.test(hex + portHex)) return null
  if (hex.length !== 8 && hex.length !== 32) return null
  const bytes: number[] = []
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(word + i, word + i + 2), 16))
    bytes.push(...(littleEndian ? wordBytes.reverse() : wordBytes))
  }
  const family = bytes.length === 4 ? 'ipv4' : 'ipv6'
  const address = family === 'ipv4' ? bytes.join('.') : ipv6FromBytes(bytes)
  return { address: normalizeAddress(address), port: Number.parseInt(portHex, 16), family }
}

function ipv6FromBytes(bytes: number[]): string {
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16))
  return groups.join(':')
}

function dedupe(sockets: ListeningSocket[]): ListeningSocket[] {
  const byKey = new Map<string, ListeningSocket>()
  for (const socket of sockets) {
    const key = `${socket.protocol} ${socket.family} ${socket.address} ${socket.boundInterface ?? ''} ${socket.port}`
    const existing = byKey.get(key)
    if (existing) existing.processes = [...new Set([...existing.processes, ...socket.processes])]
    else byKey.set(key, { ...socket })
  }
  return [...byKey.values()]
}
