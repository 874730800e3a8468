import type { InterfaceKind } from '../../../rules/facts/network.js'
import type { LinkInfo } from './ip-json.js'

/**
 * Fallbacks for when iproute2 cannot answer: the interface inventory from
 * /sys/class/net (sysfs-class-net ABI document) and VLAN ids from /proc/net/vlan/config
 * (net/8021q/vlanproc.c; root only, present when the 8021q module is loaded).
 */

export interface SysfsLink {
  name: string
  /** Entries of /sys/class/net/NAME: `device` (real hardware), `bridge`, `bonding`, `lower_X`, `upper_X`, `master`. */
  entries: readonly string[]
  /** Contents of the attribute files, or null when unreadable. */
  uevent: string | null
  operstate: string | null
  flags: string | null
  mtu: string | null
  address: string | null
  type: string | null
}

export interface VlanConfigEntry {
  id: number
  parent: string
}

/**
 * `/proc/net/vlan/config`: two header lines, then `"%-15s| %d  | %s\n"` (name, VID,
 * parent) per VLAN. Null when the header is missing.
 */
export function parseProcVlanConfig(text: string): Map<string, VlanConfigEntry> | null {
  const lines = text.split('\n')
  if (!lines[0]?.startsWith('VLAN Dev name')) return null
  const vlans = new Map<string, VlanConfigEntry>()
  for (const line of lines.slice(2)) {
    const [name, id, parent] = line.split('|').map((part) => part.trim())
    const vid = Number(id)
    if (!name || !parent || !Number.isInteger(vid)) continue
    vlans.set(name, { id: vid, parent })
  }
  return vlans
}

/** IFF_UP (include/uapi/linux/if.h); ARPHRD_LOOPBACK = 772 (include/uapi/linux/if_arp.h). */
const iffUp = 0x1
const arphrdLoopback = 772

export function linkFromSysfs(link: SysfsLink, vlans: ReadonlyMap<string, VlanConfigEntry>, kinds: ReadonlyMap<string, InterfaceKind>): LinkInfo {
  const kind = kinds.get(link.name) ?? sysfsKind(link)
  const uppers = link.entries.filter((e) => e.startsWith('upper_')).map((e) => e.slice('upper_'.length))
  const lowers = link.entries.filter((e) => e.startsWith('lower_')).map((e) => e.slice('lower_'.length))
  const vlan = vlans.get(link.name)
  const flags = link.flags === null ? Number.NaN : Number.parseInt(link.flags.trim(), 16)
  const mtu = link.mtu === null ? Number.NaN : Number.parseInt(link.mtu.trim(), 10)
  return {
    name: link.name,
    index: null,
    kind,
    driver: devtype(link) ?? null,
    state: (link.operstate ?? 'unknown').trim().toUpperCase(),
    up: Number.isFinite(flags) && (flags & iffUp) !== 0,
    mtu: Number.isFinite(mtu) ? mtu : null,
    mac: link.address?.trim() || null,
    // A bridge's or bond's lower devices are its ports, not a parent.
    parent: vlan?.parent ?? (kind === 'bridge' || kind === 'bond' ? null : (lowers[0] ?? null)),
    // A slave has a `master` link and its master among its uppers (a VLAN on top is an upper too).
    master: link.entries.includes('master') ? (uppers.find((u) => ['bridge', 'bond'].includes(kinds.get(u) ?? '')) ?? uppers[0] ?? null) : null,
    vlan: vlan ? { id: vlan.id, protocol: null } : null,
    bondMode: null,
    bridgeVlanFiltering: null,
  }
}

/** The kind sysfs shows without help from other interfaces. */
export function sysfsKind(link: SysfsLink): InterfaceKind {
  if (link.type?.trim() === String(arphrdLoopback)) return 'loopback'
  if (link.entries.includes('bridge')) return 'bridge'
  if (link.entries.includes('bonding')) return 'bond'
  const type = devtype(link)
  if (type === 'vlan') return 'vlan'
  if (link.entries.includes('device') && type === undefined) return 'physical'
  return 'other'
}

function devtype(link: SysfsLink): string | undefined {
  return /^DEVTYPE=(.+)$/m.exec(link.uevent ?? '')?.[1]?.trim()
}
