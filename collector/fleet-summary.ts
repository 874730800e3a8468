/**
 * The fleet at a glance (GET /api/fleet): the mean of node scores (each node counts once,
 * so a node with many checks does not drown the others), grade counts, per-domain means,
 * and the worst nodes first. Pure.
 */
export interface FleetNode {
  id: string
  hostname: string
  score: number | null
  grade: string | null
  coverage: number | null
  online: boolean
  agentOutdated: boolean
  domains: Record<string, { score: number | null }>
}

export function summarizeFleet(nodes: readonly FleetNode[], worst = 10) {
  const scored = nodes.filter((n) => n.score !== null)
  const grades: Record<string, number> = { A: 0, B: 0, C: 0, D: 0, F: 0, none: 0 }
  for (const n of nodes) grades[n.grade ?? 'none'] = (grades[n.grade ?? 'none'] ?? 0) + 1
  const domainScores: Record<string, number[]> = {}
  for (const n of nodes) for (const [d, s] of Object.entries(n.domains)) if (s.score !== null) (domainScores[d] ??= []).push(s.score)
  return {
    nodes: nodes.length,
    online: nodes.filter((n) => n.online).length,
    outdatedAgents: nodes.filter((n) => n.agentOutdated).length,
    score: mean(scored.map((n) => n.score!)),
    coverage: mean(nodes.filter((n) => n.coverage !== null).map((n) => n.coverage!), 3),
    grades,
    domains: Object.fromEntries(Object.entries(domainScores).sort(([a], [b]) => a.localeCompare(b)).map(([d, s]) => [d, { score: mean(s), nodes: s.length }])),
    worstNodes: [...scored].sort((a, b) => a.score! - b.score! || a.hostname.localeCompare(b.hostname)).slice(0, worst).map((n) => ({ id: n.id, hostname: n.hostname, score: n.score, grade: n.grade })),
  }
}

function mean(values: readonly number[], digits = 1): number | null {
  if (values.length === 0) return null
  const f = 10 ** digits
  return Math.round((values.reduce((a, b) => a + b, 0) / values.length) * f) / f
}
