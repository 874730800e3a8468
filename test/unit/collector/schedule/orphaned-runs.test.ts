import { describe, expect, it } from 'vitest'
import { mayHaveOrphans, orphanedRuns } from '../../../../collector/schedule/orphaned-runs.js'

describe('orphanedRuns', () => {
  const running = [
    { id: 1, owner: 'me' },
    { id: 2, owner: 'alive' },
    { id: 3, owner: 'dead' },
    { id: 4, owner: null },
  ]
  const live = new Set(['me', 'alive'])

  it.each([
    { case: 'starting: own leftovers, the dead collector\'s and ownerless runs', starting: true, expected: [1, 3, 4] },
    { case: 'sweeping: never its own runs in flight', starting: false, expected: [3, 4] },
  ])('$case', ({ starting, expected }) => {
    expect(orphanedRuns(running, { self: 'me', live, starting })).toEqual(expected)
  })

  it('never takes a live collector\'s run, even when this collector is not among the live ones', () => {
    expect(orphanedRuns([{ id: 2, owner: 'alive' }], { self: 'me', live: new Set(['alive']), starting: false })).toEqual([])
  })

  it('needs no presence read when only this collector\'s runs are in flight and it is not starting', () => {
    expect(mayHaveOrphans([{ id: 1, owner: 'me' }], { self: 'me', starting: false })).toBe(false)
    expect(mayHaveOrphans([{ id: 1, owner: 'me' }], { self: 'me', starting: true })).toBe(true)
    expect(mayHaveOrphans([{ id: 1, owner: 'me' }, { id: 2, owner: 'x' }], { self: 'me', starting: false })).toBe(true)
    expect(mayHaveOrphans([], { self: 'me', starting: true })).toBe(false)
  })
})
