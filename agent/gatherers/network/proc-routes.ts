import { decodeProcEndpoint } from './listening-sockets.js'
import type { DefaultRoute } from './ip-json.js'
import { normalizeAddress } from './address-class.js'

/** RTF_UP, RTF_GATEWAY, RTF_REJECT (include/uapi/linux/route.h). */
const rtfUp = 0x1
const rtfReject = 0x200

/**
 * Default routes from /proc/net/route (IPv4: `Iface Destination Gateway Flags … Metric Mask`,
 * addresses as host-order hex words like /proc/net/tcp) — the fallback when `ip` cannot
 * run. Null when the header is missing.
 */
export function parseProcRoute(text: string, littleEndian = true): DefaultRoute[] | null {
  const lines = text.split('\n')
  if (!/^Iface\s+Destination\s+Gateway/.test(lines[0] ?? '')) return null
  const routes: DefaultRoute[] = []
  for (const line of lines.slice(1)) {
    const [iface, destination, gateway, flags, , , metric, mask] = line.trim().split(/\s+/)
    if (!iface || destination !== '00000000' || mask !== '00000000') continue
    const flagBits = Number.parseInt(flags ?? '0', 16)
    if ((flagBits & rtfUp) === 0 || (flagBits & rtfReject) !== 0) continue
    const via = gateway && gateway !== '00000000' ? (decodeProcEndpoint(`${gateway}:0000`, littleEndian)?.address ?? null) : null
    routes.push(defaultRoute('ipv4', via, iface, Number(metric)))
  }
  return routes
}

/**
 * Default routes from /proc/net/ipv6_route: `dest plen src splen nexthop metric refcnt use
 * flags dev`, addresses as plain 32-digit hex (net/ipv6/route.c `rt6_info_seq_show`).
 */
export function parseProcIpv6Route(text: string): DefaultRoute[] {
  const routes: DefaultRoute[] = []
  for (const line of text.split('\n')) {
    const [destination, prefix, , , nextHop, metric, , , flags, iface] = line.trim().split(/\s+/)
    if (!iface || iface === 'lo' || !/^0{32}$/.test(destination ?? '') || prefix !== '00') continue
    const flagBits = Number.parseInt(flags ?? '0', 16)
    if ((flagBits & rtfUp) === 0 || (flagBits & rtfReject) !== 0) continue
    const via = nextHop && !/^0{32}$/.test(nextHop) ? normalizeAddress(nextHop.match(/.{4}/g)!.join(':')) : null
    routes.push(defaultRoute('ipv6', via, iface, Number.parseInt(metric ?? '0', 16)))
  }
  return routes
}

function defaultRoute(family: 'ipv4' | 'ipv6', gateway: string | null, iface: string, metric: number): DefaultRoute {
  return { target: `${family} default${gateway ? ` via ${gateway}` : ''} dev ${iface}`, family, gateway, interface: iface, metric: Number.isFinite(metric) ? metric : null }
}
