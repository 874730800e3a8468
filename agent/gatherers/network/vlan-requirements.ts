import type { NetworkInterface } from '../../../rules/facts/network.js'
import { inCidr } from './address-class.js'
import type { EffectivePolicy } from './network-config.js'

export type VlanRequirement = {
  target: string
  kind: 'vlan' | 'network'
  vlanId: number | null
  network: string | null
  interfaces: string[]
  present: boolean
  up: boolean
}

/**
 * Whether the node sits on the VLANs and networks its role requires. A VLAN is present
 * when an interface is that 802.1Q/802.1ad VLAN; a policy network when an interface is
 * named in it, carries one of its VLAN ids, or holds an address in one of its CIDRs (the
 * way a private VLAN delivered untagged on its own NIC shows up).
 */
export function checkVlanRequirements(interfaces: readonly NetworkInterface[], policy: EffectivePolicy): VlanRequirement[] {
  const vlans = policy.requiredVlans.map((id) => requirement(`vlan ${id}`, 'vlan', id, null, interfaces.filter((i) => i.vlan?.id === id)))
  const networks = policy.requiredNetworks.map((name) => {
    const network = policy.networks.find((n) => n.name === name)
    const carrying = network
      ? interfaces.filter(
          (i) =>
            network.interfaces.includes(i.target) ||
            network.vlanIds.some((id) => i.vlanIds.includes(id)) ||
            i.addresses.some((a) => network.cidrs.some((c) => inCidr(a.address, c))),
        )
      : []
    return requirement(`network ${name}`, 'network', null, name, carrying)
  })
  return [...vlans, ...networks]
}

function requirement(target: string, kind: 'vlan' | 'network', vlanId: number | null, network: string | null, carrying: NetworkInterface[]): VlanRequirement {
  return {
    target,
    kind,
    vlanId,
    network,
    interfaces: carrying.map((i) => i.target),
    present: carrying.length > 0,
    up: carrying.some(isUp),
  }
}

/** Administratively up and not reported down by the driver (operstate, RFC 2863). */
export function isUp(i: Pick<NetworkInterface, 'up' | 'state'>): boolean {
  return i.up && !['DOWN', 'LOWERLAYERDOWN', 'NOTPRESENT'].includes(i.state)
}
