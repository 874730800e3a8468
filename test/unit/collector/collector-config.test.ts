import { describe, expect, it } from 'vitest'
import { resolveCollectorConfig } from '../../../collector/collector-config.js'
import { parseLabels } from '../../../collector/collector-admin.js'
import { parseListen } from '../../../cli/commands/collector.js'

describe('resolveCollectorConfig', () => {
  it('has secure defaults: loopback, TLS, an explicit max payload, frozen', () => {
    const config = resolveCollectorConfig({}, {}, '/srv')
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8443 })
    expect(config.tls.insecureHttp).toBe(false)
    expect(config.agents.maxPayloadBytes).toBe(8 * 1024 * 1024)
    expect(config.dataDir).toBe('/srv/posture-data')
    expect(Object.isFrozen(config.agents)).toBe(true)
  })
  it('bounds bytes per connection by default, and refuses a byte burst smaller than the largest frame', () => {
    const config = resolveCollectorConfig({}, {}, '/srv')
    expect(config.agents).toMatchObject({ bytesPerSecond: 1024 * 1024, burstBytes: 32 * 1024 * 1024 })
    expect(() => resolveCollectorConfig({ agents: { maxPayloadBytes: 4 * 1024 * 1024, burstBytes: 1024 * 1024 } }, {}, '/srv')).toThrow(/agents\.burstBytes: burstBytes must be at least maxPayloadBytes/)
  })
  it('keeps 400 days of full scans and 5 years of daily scores by default; the trend may not be shorter than the scans', () => {
    expect(resolveCollectorConfig({}, {}, '/srv').retention).toEqual({ findingsDays: 400, dailyScoresDays: 1830, intervalMs: 6 * 3_600_000, batchScans: 500 })
    expect(resolveCollectorConfig({ retention: { findingsDays: 0, dailyScoresDays: 0 } }, {}, '/srv').retention).toMatchObject({ findingsDays: 0, dailyScoresDays: 0 })
    expect(() => resolveCollectorConfig({ retention: { findingsDays: 90, dailyScoresDays: 30 } }, {}, '/srv')).toThrow(/retention\.dailyScoresDays: dailyScoresDays must be 0 \(forever\) or at least findingsDays/)
    expect(() => resolveCollectorConfig({ retention: { findingsDays: 0, dailyScoresDays: 30 } }, {}, '/srv')).toThrow(/retention\.dailyScoresDays/)
  })
  it('lets flags override the file, key by key', () => {
    const config = resolveCollectorConfig({ listen: { host: '0.0.0.0', port: 9000 }, agents: { heartbeatMs: 5000 } }, { listen: { port: 9443 } }, '/srv')
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 9443 })
    expect(config.agents.heartbeatMs).toBe(5000)
  })
  it('refuses a misspelled key with its path', () => {
    expect(() => resolveCollectorConfig({ agents: { maxPayload: 1 } }, {}, '/srv')).toThrow(/agents: unknown key maxPayload/)
  })
})

describe('parseListen and parseLabels', () => {
  it.each([
    ['127.0.0.1:8443', { host: '127.0.0.1', port: 8443 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    ['collector.example:443', { host: 'collector.example', port: 443 }],
  ])('parses %s', (text, expected) => {
    expect(parseListen(text)).toEqual(expected)
  })
  it.each(['8443', '127.0.0.1', ':8443', '1.2.3.4:70000'])('refuses %s', (text) => {
    expect(() => parseListen(text)).toThrow(/--listen/)
  })
  it('parses labels and refuses malformed pairs', () => {
    expect(parseLabels('env=prod, rack=r12')).toEqual({ env: 'prod', rack: 'r12' })
    expect(parseLabels(undefined)).toEqual({})
    expect(() => parseLabels('env')).toThrow(/not key=value/)
  })
})
