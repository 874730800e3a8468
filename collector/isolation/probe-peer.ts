import { classifyAddress, normalizeAddress, parseAddress } from '../../agent/gatherers/network/address-class.js'
import type { Facts } from '../../rules/facts/facts.js'

/**
 * What other groups' agents may probe on a node, from the node's own report: its
 * addresses on private networks and its listening TCP management ports. Pure. The address
 * class is judged here again (never taken from the agent's `zone`), so a report cannot aim
 * probes at public addresses unless the collector allows it; loopback and link-local
 * addresses are never targets. A port counts whatever address it is bound to: once a
 * service is rebound to loopback the probe still runs, and proves it unreachable.
 */
export interface ProbeTarget {
  addresses: string[]
  ports: number[]
}

export interface ProbeTargetLimits {
  maxAddresses: number
  maxPorts: number
  publicAddresses: boolean
}

export function probeTargetOf(facts: Facts, limits: ProbeTargetLimits): ProbeTarget {
  const network = facts.network ?? {}
  const addresses = new Set<string>()
  for (const iface of network.interfaces ?? []) {
    for (const entry of iface.addresses) {
      if (parseAddress(entry.address) === null) continue
      const cls = classifyAddress(entry.address)
      const allowed = cls === 'private' || cls === 'cgnat' || (limits.publicAddresses && cls === 'public' && entry.zone === 'private')
      if (allowed) addresses.add(normalizeAddress(entry.address))
    }
  }
  const ports = new Set<number>()
  for (const listener of network.managementListeners ?? []) {
    if (listener.protocol === 'tcp' && Number.isInteger(listener.port) && listener.port >= 1 && listener.port <= 65535) ports.add(listener.port)
  }
  return {
    addresses: [...addresses].sort().slice(0, limits.maxAddresses),
    ports: [...ports].sort((a, b) => a - b).slice(0, limits.maxPorts),
  }
}
