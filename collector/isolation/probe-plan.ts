import type { IsolationPeerMessage } from '../../agent/wire/messages.js'
import type { ProbeTarget } from './probe-peer.js'

/**
 * Which enrolled nodes a group's agents probe: every node of a group it may not reach,
 * with its reported private addresses and management ports. Pure; deterministic (nodes in
 * name order) so an unchanged fleet yields the same plan and nothing is re-sent.
 */
export interface DirectoryEntry extends ProbeTarget {
  agentId: string
  name: string
  group: string | null
}

/** The wire schema's bound on peers per plan. */
export const maxPeersPerPlan = 1024

export interface PlanLimits {
  reachableGroups: Readonly<Record<string, readonly string[]>>
  maxTargetsPerPlan: number
}

export function groupOf(labels: Readonly<Record<string, string>>, groupLabel: string, roleLabel: string): string | null {
  const group = labels[groupLabel] ?? labels[roleLabel]
  return group === undefined || group === '' ? null : group
}

export function planPeers(group: string, entries: Iterable<DirectoryEntry>, limits: PlanLimits): IsolationPeerMessage[] {
  const allowed = new Set([group, ...(limits.reachableGroups[group] ?? [])])
  const candidates = [...entries]
    .filter((e) => e.group !== null && !allowed.has(e.group) && e.addresses.length > 0 && e.ports.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name) || a.agentId.localeCompare(b.agentId))
  const peers: IsolationPeerMessage[] = []
  let budget = limits.maxTargetsPerPlan
  for (const entry of candidates) {
    if (budget <= 0 || peers.length >= maxPeersPerPlan) break
    // Trim the peer to what the budget leaves: addresses first, every port of each.
    const addresses = entry.addresses.slice(0, Math.max(1, Math.floor(budget / entry.ports.length)))
    const ports = entry.ports.slice(0, budget)
    peers.push({ name: entry.name, group: entry.group!, addresses, ports })
    budget -= addresses.length * ports.length
  }
  return peers
}
