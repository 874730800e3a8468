import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Spool } from '../../../agent/spool.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-spool-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

const body = (scanId: string) => (seq: number) => JSON.stringify({ scanId, seq })

describe('Spool', () => {
  it('keeps reports in seq order across reopen and deletes only the acked one', () => {
    const spool = Spool.open(dir)
    for (const id of ['a', 'b', 'c']) spool.append(id, body(id))
    expect(spool.remove('b')).toBe(true)
    expect(spool.remove('b')).toBe(false)
    const reopened = Spool.open(dir)
    expect(reopened.entries().map((e) => [e.seq, e.scanId])).toEqual([[0, 'a'], [2, 'c']])
    expect(JSON.parse(reopened.read(reopened.entries()[1]!))).toEqual({ scanId: 'c', seq: 2 })
    expect(reopened.nextSeq).toBe(3)
  })

  it('drops the oldest first when full, and counts the drops durably', () => {
    const spool = Spool.open(dir, { maxReports: 2, maxBytes: 1 << 20 })
    for (const id of ['a', 'b', 'c', 'd']) spool.append(id, body(id))
    expect(spool.entries().map((e) => e.scanId)).toEqual(['c', 'd'])
    expect(spool.dropped).toBe(2)
    expect(Spool.open(dir, { maxReports: 2, maxBytes: 1 << 20 }).dropped).toBe(2)
  })

  it('bounds by bytes too', () => {
    const spool = Spool.open(dir, { maxReports: 100, maxBytes: 60 })
    for (const id of ['a', 'b', 'c']) spool.append(id, () => 'x'.repeat(25))
    expect(spool.entries().map((e) => e.scanId)).toEqual(['b', 'c'])
    expect(() => spool.append('huge', () => 'x'.repeat(61))).toThrow(/larger than the whole spool/)
  })

  it('keeps scan ids with any characters, and removes leftovers of a crash mid-write', () => {
    const spool = Spool.open(dir)
    spool.append('scan/with spaces:and.dots', body('x'))
    writeFileSync(join(dir, '.tmp-000000000009.eA.json'), 'half')
    const reopened = Spool.open(dir)
    expect(reopened.entries().map((e) => e.scanId)).toEqual(['scan/with spaces:and.dots'])
    expect(readdirSync(dir).some((n) => n.startsWith('.tmp-'))).toBe(false)
  })

  it('never reuses a seq even when the counters file is behind the entries', () => {
    const spool = Spool.open(dir)
    spool.append('a', body('a'))
    writeFileSync(join(dir, 'counters.json'), JSON.stringify({ nextSeq: 0, dropped: 0 }))
    expect(Spool.open(dir).append('b', body('b')).seq).toBe(1)
  })
})
