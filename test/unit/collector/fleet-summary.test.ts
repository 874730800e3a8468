import { describe, expect, it } from 'vitest'
import { summarizeFleet } from '../../../collector/fleet-summary.js'

const node = (hostname: string, score: number | null, grade: string | null, domains: Record<string, number | null> = {}) => ({
  id: hostname, hostname, score, grade, coverage: score === null ? null : 1, online: true, agentOutdated: hostname === 'old',
  domains: Object.fromEntries(Object.entries(domains).map(([d, s]) => [d, { score: s }])),
})

describe('summarizeFleet', () => {
  it('averages node scores, counts grades, averages domains, lists the worst first', () => {
    const summary = summarizeFleet([node('a', 90, 'A', { tls: 100 }), node('b', 50, 'F', { tls: 50, storage: 20 }), node('old', null, null)], 2)
    expect(summary).toMatchObject({
      nodes: 3, online: 3, outdatedAgents: 1, score: 70,
      grades: { A: 1, B: 0, C: 0, D: 0, F: 1, none: 1 },
      domains: { storage: { score: 20, nodes: 1 }, tls: { score: 75, nodes: 2 } },
      worstNodes: [{ hostname: 'b', score: 50 }, { hostname: 'a', score: 90 }],
    })
  })
  it('has no score for an empty fleet', () => {
    expect(summarizeFleet([]).score).toBeNull()
  })
})
