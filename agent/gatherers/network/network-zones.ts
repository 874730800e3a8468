import type { InterfaceAddress, NetworkInterface, Zone } from '../../../rules/facts/network.js'
import { classifyAddress, inCidr } from './address-class.js'
import type { AddressInfo, LinkInfo } from './ip-json.js'
import type { PolicyNetwork } from './network-config.js'

/**
 * Puts every interface and address in a zone. The scan's policy networks come first (in
 * the order written; an address matches a network by CIDR, its interface by name or by a
 * VLAN id it carries); otherwise the address class decides: public → public, RFC 1918 /
 * ULA / CGNAT → private. A link-local address is reachable from the segment its interface
 * is on, so it takes its interface's zone (public when the interface has a public address).
 */

/** Higher is more exposed. */
const exposureOrder: Record<Zone, number> = { loopback: 0, 'link-local': 1, private: 2, public: 3 }

export function mostExposed(zones: readonly Zone[]): Zone | null {
  let worst: Zone | null = null
  for (const zone of zones) if (worst === null || exposureOrder[zone] > exposureOrder[worst]) worst = zone
  return worst
}

/** The interfaces with their VLAN ids, addresses and zones. `addresses` null: not known. */
export function buildInterfaces(links: readonly LinkInfo[], addresses: ReadonlyMap<string, AddressInfo[]> | null, networks: readonly PolicyNetwork[]): NetworkInterface[] {
  const vlanIds = carriedVlanIds(links)
  return links.map((link) => {
    const ids = vlanIds.get(link.name) ?? []
    const byPolicy = networks.find((n) => n.interfaces.includes(link.name) || n.vlanIds.some((id) => ids.includes(id)))
    const own = (addresses?.get(link.name) ?? []).map((info) => classify(info, byPolicy, networks))
    const segmentZone = byPolicy?.zone ?? mostExposed(own.filter((a) => a.class !== 'link-local' && a.class !== 'loopback').map((a) => a.zone))
    const withLinkLocal = own.map((a) => (a.class === 'link-local' && a.network === null && segmentZone !== null ? { ...a, zone: segmentZone } : a))
    return {
      target: link.name,
      index: link.index,
      kind: link.kind,
      driver: link.driver,
      state: link.state,
      up: link.up,
      mtu: link.mtu,
      mac: link.mac,
      parent: link.parent,
      master: link.master,
      vlan: link.vlan,
      vlanIds: ids,
      bondMode: link.bondMode,
      bridgeVlanFiltering: link.bridgeVlanFiltering,
      addresses: withLinkLocal,
      zone: mostExposed(withLinkLocal.map((a) => a.zone)) ?? byPolicy?.zone ?? null,
    }
  })
}

function classify(info: AddressInfo, interfacePolicy: PolicyNetwork | undefined, networks: readonly PolicyNetwork[]): InterfaceAddress {
  const addressClass = classifyAddress(info.address)
  const policy = networks.find((n) => n.cidrs.some((c) => inCidr(info.address, c))) ?? (addressClass === 'loopback' ? undefined : interfacePolicy)
  const zone: Zone = policy?.zone ?? zoneOfClass(addressClass)
  return { ...info, class: addressClass, zone, network: policy?.name ?? null }
}

/** The zone of an address seen without its interface (a listener on an address no interface holds). */
export function zoneOfLoneAddress(address: string, networks: readonly PolicyNetwork[]): { zone: Zone; network: string | null } {
  const policy = networks.find((n) => n.cidrs.some((c) => inCidr(address, c)))
  return policy ? { zone: policy.zone, network: policy.name } : { zone: zoneOfClass(classifyAddress(address)), network: null }
}

function zoneOfClass(addressClass: InterfaceAddress['class']): Zone {
  switch (addressClass) {
    case 'public':
      return 'public'
    case 'private':
    case 'cgnat':
      return 'private'
    case 'loopback':
      return 'loopback'
    case 'link-local':
      return 'link-local'
  }
}

/**
 * VLAN ids each interface carries: a VLAN its own id; a bridge or bond its ports' (a
 * Proxmox `vmbr100` over `eno1.100`); a macvlan/ipvlan its parent's.
 */
function carriedVlanIds(links: readonly LinkInfo[]): Map<string, number[]> {
  const byName = new Map(links.map((l) => [l.name, l]))
  const memo = new Map<string, number[]>()
  const visit = (name: string, depth: number): number[] => {
    const cached = memo.get(name)
    if (cached) return cached
    const link = byName.get(name)
    if (!link || depth > 8) return []
    let ids: number[] = []
    if (link.vlan) ids = [link.vlan.id]
    else if (link.kind === 'bridge' || link.kind === 'bond') ids = links.filter((l) => l.master === name).flatMap((l) => visit(l.name, depth + 1))
    else if ((link.driver === 'macvlan' || link.driver === 'ipvlan') && link.parent) ids = visit(link.parent, depth + 1)
    const result = [...new Set(ids)].sort((a, b) => a - b)
    memo.set(name, result)
    return result
  }
  for (const link of links) visit(link.name, 0)
  return memo
}
