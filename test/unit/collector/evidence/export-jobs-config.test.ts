import { describe, expect, it } from 'vitest'
import { resolveCollectorConfig } from '../../../../collector/collector-config.js'
import { exportJobDefaults } from '../../../../collector/evidence/export-jobs.js'

/** The collector config's `exports` section: the export jobs' limits, strict, with their defaults. */
describe('the exports config section', () => {
  it('defaults to one running export, 8 waiting, archives kept a day and 20 at most', () => {
    const config = resolveCollectorConfig({}, {}, '/srv')
    expect(config.exports).toEqual({ maxRunning: 1, maxQueued: 8, keepMs: 86_400_000, keepArchives: 20 })
    expect(exportJobDefaults).toEqual(config.exports)
    expect(Object.isFrozen(config.exports)).toBe(true)
  })

  it('takes values from the file and refuses unknown keys and out-of-range values', () => {
    expect(resolveCollectorConfig({ exports: { maxRunning: 2, keepArchives: 5 } }, {}, '/srv').exports).toEqual({ maxRunning: 2, maxQueued: 8, keepMs: 86_400_000, keepArchives: 5 })
    expect(() => resolveCollectorConfig({ exports: { maxRuning: 2 } }, {}, '/srv')).toThrow('collector config: exports: unknown key maxRuning')
    expect(() => resolveCollectorConfig({ exports: { maxRunning: 0 } }, {}, '/srv')).toThrow(/^collector config: exports\.maxRunning: /)
    expect(() => resolveCollectorConfig({ exports: { keepMs: 1000 } }, {}, '/srv')).toThrow(/^collector config: exports\.keepMs: /)
    expect(() => resolveCollectorConfig({ exports: { maxQueued: 0 } }, {}, '/srv')).toThrow(/^collector config: exports\.maxQueued: /)
    expect(() => resolveCollectorConfig({ exports: { keepArchives: 1.5 } }, {}, '/srv')).toThrow(/^collector config: exports\.keepArchives: /)
  })
})
