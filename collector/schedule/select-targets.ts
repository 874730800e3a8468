import type { ScheduleTarget } from './schedule-spec.js'

/** Something a schedule can scan: a node with an agent, or a registered SSH node. */
export interface Candidate {
  /** Stable id: the node id (agent mode) or the SSH node name. */
  id: string
  /** What people call it: host name, or SSH node name. */
  name: string
  labels: Record<string, string>
}

export interface Selection<C extends Candidate> {
  selected: C[]
  /** Names in a `nodes` list that match nothing: each is a failure of the run. */
  unknown: string[]
}

/**
 * The candidates a target designates, in the candidates' order, each once. A `nodes` list
 * matches ids first, then names; a name shared by several candidates selects them all.
 */
export function selectTargets<C extends Candidate>(target: ScheduleTarget, candidates: readonly C[]): Selection<C> {
  if (target.kind === 'all') return { selected: [...candidates], unknown: [] }
  if (target.kind === 'labels') {
    const wanted = Object.entries(target.labels)
    return { selected: candidates.filter((c) => wanted.every(([k, v]) => c.labels[k] === v)), unknown: [] }
  }
  const chosen = new Set<C>()
  const unknown: string[] = []
  for (const entry of new Set(target.nodes)) {
    const byId = candidates.filter((c) => c.id === entry)
    const matches = byId.length > 0 ? byId : candidates.filter((c) => c.name === entry)
    if (matches.length === 0) unknown.push(entry)
    for (const match of matches) chosen.add(match)
  }
  return { selected: candidates.filter((c) => chosen.has(c)), unknown }
}
