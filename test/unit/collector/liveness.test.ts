import { describe, expect, it } from 'vitest'
import { isOnline, isOutdated } from '../../../collector/liveness.js'

const hour = 3_600_000

describe('isOnline', () => {
  it('is offline when not connected, whatever the last report', () => {
    expect(isOnline({ connected: false, connectedAt: null, lastReportAt: 0, intervalMs: hour }, 1, 3)).toBe(false)
  })
  it('is online while the last report or connection is within the missed intervals', () => {
    const node = { connected: true, connectedAt: 0, lastReportAt: 2 * hour, intervalMs: hour }
    expect(isOnline(node, 5 * hour, 3)).toBe(true)
    expect(isOnline(node, 5 * hour + 1, 3)).toBe(false)
  })
  it('uses the default interval when the agent has not said its own', () => {
    expect(isOnline({ connected: true, connectedAt: 0, lastReportAt: null, intervalMs: null }, 2 * hour, 2, hour)).toBe(true)
    expect(isOnline({ connected: true, connectedAt: 0, lastReportAt: null, intervalMs: null }, 2 * hour + 1, 2, hour)).toBe(false)
  })
})

describe('isOutdated', () => {
  it.each([
    ['0.1.0', '0.2.0', true],
    ['0.2.0', '0.2.0', false],
    ['1.0.0', '0.9.9', false],
    ['0.9', '0.9.1', true],
    ['0.2.0-rc.1', '0.2.0', false],
  ])('%s against %s → %s', (version, current, outdated) => {
    expect(isOutdated(version, current)).toBe(outdated)
  })
  it('does not call an unknown version outdated', () => {
    expect(isOutdated(null, '1.0.0')).toBe(false)
  })
})
