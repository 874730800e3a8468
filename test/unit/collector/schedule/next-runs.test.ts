import { describe, expect, it } from 'vitest'
import { compileTiming, decideSlot, jitterOffsetMs, maxJitterMs, missedCountCap, nextRuns, type ScheduleTiming } from '../../../../collector/schedule/next-runs.js'

const at = (iso: string) => new Date(iso)
const iso = (dates: Date[]) => dates.map((d) => d.toISOString())
const timing = (cron: string, timeZone = 'UTC', jitterMs = 0): ScheduleTiming => ({ cron, timeZone, jitterMs })

describe('nextRuns', () => {
  it('lists the next slots strictly after the given moment', () => {
    expect(iso(nextRuns(timing('30 2 * * *'), at('2026-11-23T02:30:00Z'), 3))).toEqual(['2026-11-24T02:30:00.000Z', '2026-11-25T02:30:00.000Z', '2026-11-26T02:30:00.000Z'])
    expect(iso(nextRuns(timing('30 2 * * *'), at('2026-11-23T02:29:59.999Z'), 1))).toEqual(['2026-11-23T02:30:00.000Z'])
  })

  it('reads day-of-week and presets', () => {
    // 2026-11-23 is a Monday.
    expect(iso(nextRuns(timing('0 3 * * 1'), at('2026-11-23T12:00:00Z'), 2))).toEqual(['2026-11-30T03:00:00.000Z', '2026-12-07T03:00:00.000Z'])
    expect(iso(nextRuns(timing('@weekly'), at('2026-11-23T12:00:00Z'), 1))).toEqual(['2026-11-29T00:00:00.000Z'])
    expect(iso(nextRuns(timing('*/15 * * * *'), at('2026-11-23T12:07:00Z'), 3))).toEqual(['2026-11-23T12:15:00.000Z', '2026-11-23T12:30:00.000Z', '2026-11-23T12:45:00.000Z'])
  })

  it('reads the expression in the schedule time zone', () => {
    // 02:00 in Berlin is 01:00Z in winter (CET) and 00:00Z in summer (CEST).
    expect(iso(nextRuns(timing('0 2 * * *', 'Europe/Berlin'), at('2026-01-10T00:00:00Z'), 1))).toEqual(['2026-01-10T01:00:00.000Z'])
    expect(iso(nextRuns(timing('0 2 * * *', 'Europe/Berlin'), at('2026-07-10T00:00:00Z'), 1))).toEqual(['2026-07-11T00:00:00.000Z'])
    // Half-hour offset: 09:00 in Kolkata (UTC+05:30) is 03:30Z.
    expect(iso(nextRuns(timing('0 9 * * *', 'Asia/Kolkata'), at('2026-11-23T12:00:00Z'), 1))).toEqual(['2026-11-24T03:30:00.000Z'])
  })

  it('runs a slot that does not exist on a spring-forward day at the end of the gap', () => {
    // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that day.
    expect(iso(nextRuns(timing('30 2 * * *', 'Europe/Berlin'), at('2026-03-28T00:00:00Z'), 3))).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST, the first instant after the gap
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ])
  })

  it('runs a daily slot once on a fall-back day, hourly ones every real hour', () => {
    // Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
    expect(iso(nextRuns(timing('30 2 * * *', 'Europe/Berlin'), at('2026-10-24T00:00:00Z'), 3))).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // the first 02:30 (CEST) only
      '2026-10-26T01:30:00.000Z',
    ])
    // New York, 2026-11-01: 02:00 EDT falls back to 01:00 EST; a 30-minute schedule keeps a 30-minute rhythm.
    expect(iso(nextRuns(timing('*/30 * * * *', 'America/New_York'), at('2026-11-01T04:40:00Z'), 4))).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T06:30:00.000Z', // 01:30 EST
    ])
  })
})

describe('compileTiming', () => {
  it.each([
    ['* * * * * *', /five fields/],
    ['@secondly', /five fields/],
    ['61 * * * *', /out of range/],
    ['bogus', /five fields/],
    ['0 2 * *', /five fields/],
  ])('refuses cron %j', (cron, message) => {
    expect(() => compileTiming(timing(cron))).toThrow(message)
    expect(() => compileTiming(timing(cron))).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }))
  })

  it('refuses an unknown time zone and jitter out of bounds', () => {
    expect(() => compileTiming(timing('0 2 * * *', 'Mars/Olympus'))).toThrow(/not an IANA time zone/)
    expect(() => compileTiming(timing('0 2 * * *', 'UTC', -1))).toThrow(/jitter/)
    expect(() => compileTiming(timing('0 2 * * *', 'UTC', maxJitterMs + 1))).toThrow(/jitter/)
    expect(() => compileTiming(timing('0 2 * * *', 'UTC', 1.5))).toThrow(/jitter/)
  })
})

describe('decideSlot', () => {
  const daily = timing('0 2 * * *')

  it('is not due before the first slot after creation, and says when it will be', () => {
    expect(decideSlot(daily, { lastSlot: null, since: at('2026-11-23T10:00:00Z') }, at('2026-11-23T23:00:00Z'))).toEqual({ due: false, next: at('2026-11-24T02:00:00Z') })
  })

  it('is due at the slot, for that slot', () => {
    const decision = decideSlot(daily, { lastSlot: null, since: at('2026-11-23T10:00:00Z') }, at('2026-11-24T02:00:00Z'))
    expect(decision).toEqual({ due: true, slot: at('2026-11-24T02:00:00Z'), missed: 0, missedCapped: false, next: at('2026-11-25T02:00:00Z') })
  })

  it('is not due again for a slot it already ran', () => {
    expect(decideSlot(daily, { lastSlot: at('2026-11-24T02:00:00Z'), since: at('2026-11-01T00:00:00Z') }, at('2026-11-24T02:00:05Z'))).toEqual({ due: false, next: at('2026-11-25T02:00:00Z') })
  })

  it('after downtime, runs once for the latest missed slot and counts the others', () => {
    // Last ran Monday 02:00; the collector was down until Thursday 10:00: Tue, Wed, Thu slots missed.
    const decision = decideSlot(daily, { lastSlot: at('2026-11-23T02:00:00Z'), since: at('2026-11-01T00:00:00Z') }, at('2026-11-26T10:00:00Z'))
    expect(decision).toEqual({ due: true, slot: at('2026-11-26T02:00:00Z'), missed: 2, missedCapped: false, next: at('2026-11-27T02:00:00Z') })
  })

  it('finds the latest slot of a sparse schedule far back (weekly, months of downtime)', () => {
    const weekly = timing('0 3 * * 1')
    const decision = decideSlot(weekly, { lastSlot: at('2026-06-01T03:00:00Z'), since: at('2026-01-01T00:00:00Z') }, at('2026-11-25T00:00:00Z'))
    expect(decision).toMatchObject({ due: true, slot: at('2026-11-23T03:00:00Z'), missed: 24, next: at('2026-11-30T03:00:00Z') })
  })

  it('caps the count of missed slots of a frequent schedule, still running once', () => {
    const minutely = timing('* * * * *')
    const decision = decideSlot(minutely, { lastSlot: at('2026-11-20T00:00:00Z'), since: at('2026-11-01T00:00:00Z') }, at('2026-11-23T00:00:30Z'))
    expect(decision).toEqual({ due: true, slot: at('2026-11-23T00:00:00Z'), missed: missedCountCap, missedCapped: true, next: at('2026-11-23T00:01:00Z') })
  })

  it('reads slots in the time zone across DST when catching up', () => {
    // Berlin daily 02:30 across spring-forward: the slot of 2026-03-29 is 03:00 CEST (01:00Z).
    const berlin = timing('30 2 * * *', 'Europe/Berlin')
    const decision = decideSlot(berlin, { lastSlot: at('2026-03-27T01:30:00Z'), since: at('2026-03-01T00:00:00Z') }, at('2026-03-29T06:00:00Z'))
    expect(decision).toEqual({ due: true, slot: at('2026-03-29T01:00:00Z'), missed: 1, missedCapped: false, next: at('2026-03-30T00:30:00Z') })
  })

  it('tolerates a clock that went backwards (never due for a slot before the last one)', () => {
    expect(decideSlot(daily, { lastSlot: at('2026-11-24T02:00:00Z'), since: at('2026-11-01T00:00:00Z') }, at('2026-11-23T12:00:00Z'))).toEqual({ due: false, next: at('2026-11-25T02:00:00Z') })
  })
})

describe('jitterOffsetMs', () => {
  it('is 0 without jitter and stays in [0, jitterMs)', () => {
    expect(jitterOffsetMs('s|2026-11-24T02:00:00.000Z|node-1', 0)).toBe(0)
    const offsets = Array.from({ length: 2000 }, (_, i) => jitterOffsetMs(`daily|2026-11-24T02:00:00.000Z|node-${i}`, 600_000))
    for (const offset of offsets) {
      expect(Number.isInteger(offset)).toBe(true)
      expect(offset).toBeGreaterThanOrEqual(0)
      expect(offset).toBeLessThan(600_000)
    }
    // Spread over the whole window: every tenth of it is used, none by more than twice its share.
    const deciles = Array.from({ length: 10 }, (_, d) => offsets.filter((o) => Math.floor(o / 60_000) === d).length)
    for (const count of deciles) {
      expect(count).toBeGreaterThan(100)
      expect(count).toBeLessThan(400)
    }
  })

  it('is stable for the same seed and differs per node and per slot', () => {
    const a = jitterOffsetMs('daily|2026-11-24T02:00:00.000Z|node-1', 3_600_000)
    expect(jitterOffsetMs('daily|2026-11-24T02:00:00.000Z|node-1', 3_600_000)).toBe(a)
    expect(jitterOffsetMs('daily|2026-11-24T02:00:00.000Z|node-2', 3_600_000)).not.toBe(a)
    expect(jitterOffsetMs('daily|2026-11-25T02:00:00.000Z|node-1', 3_600_000)).not.toBe(a)
    expect(jitterOffsetMs('x', 1)).toBe(0)
    expect(() => jitterOffsetMs('x', -1)).toThrow(RangeError)
  })
})
