import { describe, expect, it } from 'vitest'
import { selectTargets } from '../../../../collector/schedule/select-targets.js'

const nodes = [
  { id: 'n1', name: 'web-01', labels: { env: 'prod', role: 'web' } },
  { id: 'n2', name: 'web-02', labels: { env: 'staging', role: 'web' } },
  { id: 'n3', name: 'db-01', labels: { env: 'prod', role: 'db' } },
  { id: 'n4', name: 'db-01', labels: { env: 'dr', role: 'db' } },
]
const ids = (s: { selected: { id: string }[] }) => s.selected.map((c) => c.id)

describe('selectTargets', () => {
  it('selects everything for all', () => {
    expect(ids(selectTargets({ kind: 'all' }, nodes))).toEqual(['n1', 'n2', 'n3', 'n4'])
  })

  it('requires every label of a selector to match', () => {
    expect(ids(selectTargets({ kind: 'labels', labels: { env: 'prod' } }, nodes))).toEqual(['n1', 'n3'])
    expect(ids(selectTargets({ kind: 'labels', labels: { env: 'prod', role: 'db' } }, nodes))).toEqual(['n3'])
    expect(ids(selectTargets({ kind: 'labels', labels: { env: 'qa' } }, nodes))).toEqual([])
  })

  it('matches a list by id, then by name (all of a shared name), each once, and reports the unknown', () => {
    const selection = selectTargets({ kind: 'nodes', nodes: ['db-01', 'n2', 'n2', 'ghost'] }, nodes)
    expect(ids(selection)).toEqual(['n2', 'n3', 'n4'])
    expect(selection.unknown).toEqual(['ghost'])
  })
})
