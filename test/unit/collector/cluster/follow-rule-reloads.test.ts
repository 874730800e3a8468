import { EventEmitter } from 'node:events'
import { pino, type Logger } from 'pino'
import { describe, expect, it } from 'vitest'
import { followRuleReloads } from '../../../../collector/cluster/follow-rule-reloads.js'
import type { CollectorEvents } from '../../../../collector/collector-context.js'

/** A pino logger writing JSON lines into an array. */
function memoryLog(): { log: Logger; lines: { level: number; msg: string; [k: string]: unknown }[] } {
  const lines: { level: number; msg: string }[] = []
  const log: Logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) })
  return { log, lines }
}

describe('followRuleReloads', () => {
  it('reloads on another collector\'s announcement, never on its own', async () => {
    const events = new EventEmitter<CollectorEvents>()
    const { log, lines } = memoryLog()
    let reloads = 0
    let done = () => {}
    const reloaded = new Promise<void>((resolve) => (done = resolve))
    followRuleReloads(events, async () => {
      reloads++
      done()
      return { version: 'v2', changed: true }
    }, log)
    events.emit('rules-reloaded', { version: 'v2' })
    expect(reloads).toBe(0)
    events.emit('rules-reloaded', { version: 'v2', collectorId: 'c1', remote: true })
    await reloaded
    await new Promise((r) => setImmediate(r))
    expect(reloads).toBe(1)
    expect(lines.map((l) => [l.msg, l.by])).toEqual([['rules reloaded after another collector reloaded them', 'c1']])
  })

  it('says loudly when this collector\'s rule files give another version than the one announced', async () => {
    const events = new EventEmitter<CollectorEvents>()
    const { log, lines } = memoryLog()
    let done = () => {}
    const reloaded = new Promise<void>((resolve) => (done = resolve))
    followRuleReloads(events, async () => {
      done()
      return { version: 'v1', changed: false }
    }, log)
    events.emit('rules-reloaded', { version: 'v2', collectorId: 'c1', remote: true })
    await reloaded
    await new Promise((r) => setImmediate(r))
    expect(lines).toEqual([expect.objectContaining({ level: 50, version: 'v1', announcedVersion: 'v2', by: 'c1', msg: expect.stringContaining('copy the same --rules directories to every collector') })])
  })

  it('runs one reload after the running one for a burst of announcements; a catch-up compares nothing', async () => {
    const events = new EventEmitter<CollectorEvents>()
    const { log, lines } = memoryLog()
    let reloads = 0
    let release = () => {}
    let finished = () => {}
    const allDone = new Promise<void>((resolve) => (finished = resolve))
    followRuleReloads(events, async () => {
      reloads++
      if (reloads === 1) await new Promise<void>((resolve) => (release = resolve))
      else finished()
      return { version: 'v3', changed: true }
    }, log)
    events.emit('rules-reloaded', { version: 'v3', collectorId: 'c1', remote: true })
    events.emit('rules-reloaded', { version: 'v3', collectorId: 'c2', remote: true })
    events.emit('rules-reloaded', { version: '', remote: true })
    release()
    await allDone
    await new Promise((r) => setImmediate(r))
    expect(reloads).toBe(2)
    expect(lines.every((l) => l.level === 30)).toBe(true)
  })
})
