import { z } from 'zod'
import type { InterfaceKind } from '../../../rules/facts/network.js'

/**
 * Parsers for iproute2's JSON (`ip -d -j link show`, `ip -j addr show`,
 * `ip -j route show default`; iproute2 ≥ 4.13). Key names from iproute2 `ip/ipaddress.c`
 * and `ip/iplink_vlan.c`; `link` is the lower device (VLAN trunk, veth peer), `master`
 * the bridge or bond. Each returns null for text that is not the expected JSON.
 */

export interface LinkInfo {
  name: string
  index: number | null
  kind: InterfaceKind
  driver: string | null
  state: string
  up: boolean
  mtu: number | null
  mac: string | null
  parent: string | null
  master: string | null
  vlan: { id: number; protocol: string | null } | null
  bondMode: string | null
  bridgeVlanFiltering: boolean | null
}

export interface AddressInfo {
  address: string
  prefixLength: number
  family: 'ipv4' | 'ipv6'
  scope: string | null
}

const linkSchema = z.object({
  ifindex: z.number().optional(),
  ifname: z.string(),
  flags: z.array(z.string()).default([]),
  mtu: z.number().optional(),
  operstate: z.string().optional(),
  link_type: z.string().optional(),
  address: z.string().optional(),
  link: z.string().nullable().optional(),
  master: z.string().optional(),
  linkinfo: z
    .object({
      info_kind: z.string().optional(),
      info_data: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
})

const addrSchema = z.object({
  ifname: z.string(),
  addr_info: z
    .array(
      z.object({
        family: z.string(),
        local: z.string().optional(),
        prefixlen: z.number().optional(),
        scope: z.string().optional(),
      }),
    )
    .default([]),
})

const routeSchema = z.object({
  dst: z.string().optional(),
  gateway: z.string().optional(),
  dev: z.string().optional(),
  metric: z.number().optional(),
})

/** Link kinds Posture names; the rest are `other` with their driver kept. */
const namedKinds: Record<string, InterfaceKind> = { vlan: 'vlan', bond: 'bond', bridge: 'bridge', veth: 'veth' }

export function parseIpLink(text: string): LinkInfo[] | null {
  const parsed = parseJsonList(text, linkSchema)
  if (parsed === null) return null
  return parsed.map((link) => {
    const driver = link.linkinfo?.info_kind ?? null
    const data = link.linkinfo?.info_data ?? {}
    const kind: InterfaceKind =
      link.link_type === 'loopback' ? 'loopback' : driver === null ? 'physical' : (namedKinds[driver] ?? 'other')
    return {
      name: link.ifname,
      index: link.ifindex ?? null,
      kind,
      driver,
      state: link.operstate ?? 'UNKNOWN',
      up: link.flags.includes('UP'),
      mtu: link.mtu ?? null,
      mac: link.link_type === 'ether' ? (link.address ?? null) : null,
      parent: link.link ?? null,
      master: link.master ?? null,
      vlan: kind === 'vlan' && typeof data.id === 'number' ? { id: data.id, protocol: typeof data.protocol === 'string' ? data.protocol : null } : null,
      bondMode: kind === 'bond' && typeof data.mode === 'string' ? data.mode : null,
      bridgeVlanFiltering: kind === 'bridge' && typeof data.vlan_filtering === 'number' ? data.vlan_filtering === 1 : null,
    }
  })
}

/** Interface name → its addresses (inet and inet6 only). */
export function parseIpAddr(text: string): Map<string, AddressInfo[]> | null {
  const parsed = parseJsonList(text, addrSchema)
  if (parsed === null) return null
  const byInterface = new Map<string, AddressInfo[]>()
  for (const link of parsed) {
    const addresses: AddressInfo[] = []
    for (const info of link.addr_info) {
      if ((info.family !== 'inet' && info.family !== 'inet6') || info.local === undefined) continue
      addresses.push({
        address: info.local,
        prefixLength: info.prefixlen ?? (info.family === 'inet' ? 32 : 128),
        family: info.family === 'inet' ? 'ipv4' : 'ipv6',
        scope: info.scope ?? null,
      })
    }
    byInterface.set(link.ifname, addresses)
  }
  return byInterface
}

/**
 * `ip -o addr show` (one line per address: `2: eth0    inet 10.0.0.5/24 brd … scope global eth0\ …`),
 * the fallback for an `ip` without JSON (BusyBox, iproute2 before 4.13). `peer` addresses
 * of point-to-point links keep the local one. Null when no line has that shape.
 */
export function parseIpOnelineAddr(text: string): Map<string, AddressInfo[]> | null {
  const byInterface = new Map<string, AddressInfo[]>()
  let seen = false
  for (const line of text.split('\n')) {
    const match = /^\d+:\s+([^\s@]+)(?:@\S+)?\s+(inet6?)\s+([0-9A-Fa-f.:]+)(?:\/(\d+))?(?:\s+peer\s+\S+?\/(\d+))?(.*)$/.exec(line.trim())
    if (!match) continue
    seen = true
    const [, name, family, address, prefix, peerPrefix, rest] = match
    const scope = /\bscope\s+(\S+)/.exec(rest ?? '')?.[1] ?? null
    const entry: AddressInfo = {
      address: address!,
      prefixLength: Number(prefix ?? peerPrefix ?? (family === 'inet' ? 32 : 128)),
      family: family === 'inet' ? 'ipv4' : 'ipv6',
      scope,
    }
    byInterface.set(name!, [...(byInterface.get(name!) ?? []), entry])
  }
  return seen ? byInterface : null
}

export interface DefaultRoute {
  target: string
  family: 'ipv4' | 'ipv6'
  gateway: string | null
  interface: string | null
  metric: number | null
}

export function parseDefaultRoutes(text: string, family: 'ipv4' | 'ipv6'): DefaultRoute[] | null {
  const parsed = parseJsonList(text, routeSchema)
  if (parsed === null) return null
  return parsed
    .filter((r) => r.dst === 'default' || r.dst === undefined)
    .map((r) => ({
      target: `${family} default${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`,
      family,
      gateway: r.gateway ?? null,
      interface: r.dev ?? null,
      metric: r.metric ?? null,
    }))
}

function parseJsonList<T extends z.ZodType>(text: string, item: T): z.output<T>[] | null {
  let json: unknown
  try {
    // `ip -j` prints nothing at all (not `[]`) on some versions when there is nothing to list.
    json = text.trim() === '' ? [] : JSON.parse(text)
  } catch {
    return null // not JSON: the caller reports the command's output as unexpected
  }
  const parsed = z.array(item).safeParse(json)
  return parsed.success ? parsed.data : null
}
