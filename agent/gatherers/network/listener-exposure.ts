import type { Exposure, Listener, NetworkInterface, Zone } from '../../../rules/facts/network.js'
import { classifyAddress, familyOf, isWildcardAddress } from './address-class.js'
import { isDroppedOnInput, type AnalysableChain } from './firewall-reach.js'
import type { ListeningSocket } from './listening-sockets.js'
import type { PolicyNetwork, PortSpec } from './network-config.js'
import { zoneOfLoneAddress } from './network-zones.js'

/**
 * Resolves each listening socket to the concrete addresses it can be reached on: a
 * wildcard bind exposes every address of its family on every interface (or on its
 * SO_BINDTODEVICE interface only), a specific bind the one address. Loopback stays local.
 * `interfaces` null means the inventory could not be gathered: a wildcard listener then
 * carries an `error`, a specific one is judged by its address alone. `firewall` null
 * means the rules could not be read: nothing counts as filtered.
 */
export function resolveListeners(
  sockets: readonly ListeningSocket[],
  interfaces: readonly NetworkInterface[] | null,
  networks: readonly PolicyNetwork[],
  managementPorts: readonly PortSpec[],
  interfacesError: string | null,
  firewall: readonly AnalysableChain[] | null = null,
): Listener[] {
  return sockets
    .map((socket) => {
      const management = managementPorts.find((p) => p.port === socket.port && (p.protocol === 'both' || p.protocol === socket.protocol))
      const listener: Listener = {
        target: listenerTarget(socket),
        protocol: socket.protocol,
        address: socket.address,
        port: socket.port,
        boundInterface: socket.boundInterface,
        family: socket.family,
        wildcard: isWildcardAddress(socket.address),
        processes: socket.processes,
        source: socket.source,
        exposure: [],
        zones: [],
        publicAddresses: [],
        filteredPublicAddresses: [],
        managementOnly: management !== undefined,
        service: management?.service ?? null,
      }
      const unfiltered = exposureOf(socket, interfaces, networks)
      if (unfiltered === null) {
        listener.error = `cannot tell where ${listener.target} is reachable: the interface addresses could not be gathered (${interfacesError ?? 'unknown reason'})`
        return listener
      }
      const exposure = unfiltered.map((e) => ({
        ...e,
        filtered: firewall !== null && e.zone !== 'loopback' && isDroppedOnInput(firewall, { family: familyOf(e.address), iface: e.interface, protocol: socket.protocol, port: socket.port }),
      }))
      listener.exposure = exposure
      listener.zones = [...new Set(exposure.map((e) => e.zone))].sort() as Zone[]
      listener.publicAddresses = exposure.filter((e) => e.zone === 'public' && !e.filtered).map((e) => e.address)
      listener.filteredPublicAddresses = exposure.filter((e) => e.zone === 'public' && e.filtered).map((e) => e.address)
      return listener
    })
    .sort((a, b) => a.port - b.port || a.target.localeCompare(b.target))
}

export function listenerTarget(socket: Pick<ListeningSocket, 'protocol' | 'address' | 'port' | 'boundInterface' | 'family'>): string {
  const host = socket.family === 'dual' ? '*' : socket.address.includes(':') ? `[${socket.address}]` : socket.address
  return `${socket.protocol} ${host}${socket.boundInterface ? `%${socket.boundInterface}` : ''}:${socket.port}`
}

function exposureOf(socket: ListeningSocket, interfaces: readonly NetworkInterface[] | null, networks: readonly PolicyNetwork[]): Omit<Exposure, 'filtered'>[] | null {
  if (!isWildcardAddress(socket.address)) {
    if (classifyAddress(socket.address) === 'loopback') return [{ address: socket.address, interface: ownerOf(socket.address, interfaces), zone: 'loopback', network: null }]
    const owner = interfaces?.flatMap((i) => i.addresses.filter((a) => a.address === socket.address).map((a) => ({ i, a })))[0]
    if (owner) return [{ address: socket.address, interface: owner.i.target, zone: owner.a.zone, network: owner.a.network }]
    // Not on any interface (ip_nonlocal_bind, or the inventory is missing): judge the address itself.
    return [{ address: socket.address, interface: null, ...zoneOfLoneAddress(socket.address, networks) }]
  }
  if (interfaces === null) return null
  const families = socket.family === 'dual' ? ['ipv4', 'ipv6'] : [socket.family]
  const candidates = socket.boundInterface === null ? interfaces : interfaces.filter((i) => i.target === socket.boundInterface)
  return candidates.flatMap((i) =>
    i.addresses.filter((a) => families.includes(a.family)).map((a) => ({ address: a.address, interface: i.target, zone: a.zone, network: a.network })),
  )
}

function ownerOf(address: string, interfaces: readonly NetworkInterface[] | null): string | null {
  return interfaces?.find((i) => i.addresses.some((a) => a.address === address))?.target ?? null
}
