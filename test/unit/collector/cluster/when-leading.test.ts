import { afterEach, describe, expect, it, vi } from 'vitest'
import { whenLeading } from '../../../../collector/cluster/when-leading.js'

describe('whenLeading', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('runs the job at once when leading, again only after leadership was lost and taken back', async () => {
    vi.useFakeTimers()
    let leads = true
    let runs = 0
    const stop = whenLeading({ leads: () => leads }, async () => void runs++, 100)
    expect(runs).toBe(1)
    await vi.advanceTimersByTimeAsync(500)
    expect(runs).toBe(1)
    leads = false
    await vi.advanceTimersByTimeAsync(100)
    leads = true
    await vi.advanceTimersByTimeAsync(100)
    expect(runs).toBe(2)
    stop()
    leads = false
    await vi.advanceTimersByTimeAsync(100)
    leads = true
    await vi.advanceTimersByTimeAsync(100)
    expect(runs).toBe(2)
  })

  it('never runs on a collector that does not lead, and starts when it takes over', async () => {
    vi.useFakeTimers()
    let leads = false
    let runs = 0
    const stop = whenLeading({ leads: () => leads }, async () => void runs++, 100)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(runs).toBe(0)
    leads = true
    await vi.advanceTimersByTimeAsync(100)
    expect(runs).toBe(1)
    stop()
  })

  it('does not start a second run while one is still going', async () => {
    vi.useFakeTimers()
    let leads = true
    let runs = 0
    let finish = () => {}
    const stop = whenLeading({ leads: () => leads }, () => {
      runs++
      return new Promise<void>((resolve) => (finish = resolve))
    }, 100)
    leads = false
    await vi.advanceTimersByTimeAsync(100)
    leads = true
    await vi.advanceTimersByTimeAsync(100)
    expect(runs).toBe(1)
    finish()
    stop()
  })
})
