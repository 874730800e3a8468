import { isIpLiteral } from './network-config.js'
import { normalizeAddress } from './address-class.js'

/**
 * Which (address, port) pairs a node attempts to prove that it cannot reach other
 * groups' management services. Pure: the peers come from the scan config today and from
 * the collector's list of enrolled nodes later. Only addresses in that list are ever
 * planned (never a name to resolve, never a scan of a range); a node never probes its own
 * group or a group its policy allows it to reach.
 */
export interface IsolationPeer {
  name: string
  group: string
  /** The peer's addresses (management and others) as IP literals. */
  addresses: readonly string[]
  /** Its management-only ports. */
  ports: readonly number[]
}

export interface PlannedProbe {
  /** `ADDR:PORT`, `[v6]:PORT`: the fact's target and the probe key's suffix. */
  target: string
  peer: string
  address: string
  port: number
  fromGroup: string
  toGroup: string
}

export interface IsolationPlan {
  probes: PlannedProbe[]
  /** Pairs left out: same or allowed group, invalid address, or over `maxProbes`. */
  skipped: number
}

export interface PlanOptions {
  group: string
  peers: readonly IsolationPeer[]
  /** Group → groups it may reach. */
  reachableGroups: Readonly<Record<string, readonly string[]>>
  maxProbes: number
}

export function planIsolationProbes({ group, peers, reachableGroups, maxProbes }: PlanOptions): IsolationPlan {
  const allowed = new Set([group, ...(reachableGroups[group] ?? [])])
  const seen = new Set<string>()
  const probes: PlannedProbe[] = []
  let skipped = 0
  for (const peer of peers) {
    for (const raw of peer.addresses) {
      for (const port of peer.ports) {
        const valid = isIpLiteral(raw) && Number.isInteger(port) && port >= 1 && port <= 65535
        if (!valid || allowed.has(peer.group)) {
          skipped++
          continue
        }
        const address = normalizeAddress(raw)
        const target = endpoint(address, port)
        if (seen.has(target)) continue
        seen.add(target)
        if (probes.length >= maxProbes) {
          skipped++
          continue
        }
        probes.push({ target, peer: peer.name, address, port, fromGroup: group, toGroup: peer.group })
      }
    }
  }
  return { probes, skipped }
}

export function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`
}
