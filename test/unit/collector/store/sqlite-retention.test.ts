import { describe, expect, it } from 'vitest'
import { retentionBatch } from '../../../../collector/store/sqlite-retention.js'

const cutoff = '2026-03-01T00:00:00.000Z'
const scan = (pk: number, received: string, finished = received) => ({ pk, received_at: `2026-${received}T00:00:00.000Z`, finished_at: `2026-${finished}T00:00:00.000Z` })

describe('retentionBatch', () => {
  it('picks the scans that finished before the cutoff and resumes after the last one read', () => {
    expect(retentionBatch([scan(3, '01-10'), scan(5, '02-10')], cutoff, 2)).toEqual({ doomed: [3, 5], after: 5, reachedYoung: false })
  })

  it('stops at the first scan received at or after the cutoff', () => {
    expect(retentionBatch([scan(3, '01-10'), scan(4, '03-01'), scan(5, '01-01')], cutoff, 2)).toEqual({ doomed: [3], after: 3, reachedYoung: true })
  })

  it('keeps a current scan and one that finished after the cutoff', () => {
    const rows = [scan(3, '01-10'), scan(4, '02-10', '03-05'), scan(5, '02-11')]
    expect(retentionBatch(rows, cutoff, 0, (pk) => pk === 5)).toEqual({ doomed: [3], after: 5, reachedYoung: false })
  })

  it('leaves `after` where it was for an empty batch', () => {
    expect(retentionBatch([], cutoff, 7)).toEqual({ doomed: [], after: 7, reachedYoung: false })
  })
})
