import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RecordingHost } from '../../../../agent/host/recording-host.js'
import { SnapshotHost } from '../../../../agent/host/snapshot-host.js'
import { gatherFacts } from '../../../../agent/scan.js'
import { defaultScanConfig } from '../../../../agent/scan-config.js'
import { snapshotSchema } from '../../../../agent/snapshot.js'
import { gathererMethods, mergeGathererReads, type GathererMethod } from '../../../../collector/evidence/gatherer-methods.js'
import { domains } from '../../../../rules/domains.js'

/**
 * methods.json's gatherer lists: what each gatherer read in a real scan (the project's
 * Debian 12 sandbox snapshot, every domain) is recorded per gatherer, adds up to exactly
 * what the whole scan read, and is more than the empty-machine probe sees; the export
 * joins the read sets of its window's scans.
 */
const sandbox = snapshotSchema.parse(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'e2e', 'fixtures', 'sandbox-debian12.snapshot.json'), 'utf8')))
const at = new Date(sandbox.gatheredAt)

describe('gatherer reads recorded by a scan', () => {
  it('records per gatherer every file, directory, command and probe the scan read, and nothing else', async () => {
    const whole = new RecordingHost(new SnapshotHost(sandbox, 'sandbox'))
    const { reads } = await gatherFacts(whole, [...domains], defaultScanConfig, at)
    const seen = whole.recorded()
    for (const key of ['files', 'dirs', 'commands', 'probes'] as const) {
      expect(new Set(reads!.flatMap((r) => r[key]))).toEqual(new Set(Object.keys(seen[key])))
    }
    expect(reads!.find((r) => r.gatherer === 'system')).toMatchObject({ commands: expect.arrayContaining(['timedatectl show']), files: expect.arrayContaining(['/etc/os-release']) })
  })

  it('lists more than the empty-machine probe: the reads that depend on what was found', async () => {
    const { reads } = await gatherFacts(new SnapshotHost(sandbox, 'sandbox'), [...domains], defaultScanConfig, at)
    const probed = await gathererMethods(at)
    const merged = mergeGathererReads(probed, [reads!])
    const count = (list: readonly GathererMethod[]) => list.reduce((n, g) => n + g.files.length + g.dirs.length + g.commands.length + g.probes.length, 0)
    expect(count(merged)).toBeGreaterThan(count(probed))
    expect(merged.every((g) => g.recorded)).toBe(true)
    // Every probed first read of a gatherer that ran is still listed only if the scan really made it.
    const system = merged.find((g) => g.gatherer === 'system')!
    expect(system.domains).toEqual(probed.find((g) => g.gatherer === 'system')!.domains)
  })
})

describe('mergeGathererReads', () => {
  const probed: GathererMethod[] = [
    { gatherer: 'storage', domains: ['storage'], files: ['/proc/mdstat'], dirs: [], commands: [], probes: [], error: null, recorded: false },
    { gatherer: 'system', domains: ['system'], files: ['/etc/os-release'], dirs: [], commands: ['timedatectl show'], probes: [], error: null, recorded: false },
  ]

  it('joins the read sets of every scan per gatherer, and keeps the probe for gatherers no scan recorded', () => {
    const merged = mergeGathererReads(probed, [
      [{ gatherer: 'storage', files: ['/proc/mdstat'], dirs: [], commands: ['mdadm --detail /dev/md0'], probes: [] }],
      [{ gatherer: 'storage', files: ['/proc/mdstat'], dirs: ['/sys/block'], commands: ['mdadm --detail /dev/md1'], probes: [] }],
    ])
    expect(merged).toEqual([
      { gatherer: 'storage', domains: ['storage'], files: ['/proc/mdstat'], dirs: ['/sys/block'], commands: ['mdadm --detail /dev/md0', 'mdadm --detail /dev/md1'], probes: [], error: null, recorded: true },
      probed[1],
    ])
  })

  it('lists a gatherer that only the scans know (a newer agent)', () => {
    expect(mergeGathererReads(probed, [[{ gatherer: 'gpu', files: [], dirs: [], commands: ['nvidia-smi -q'], probes: [] }]]).at(-1)).toEqual({ gatherer: 'gpu', domains: [], files: [], dirs: [], commands: ['nvidia-smi -q'], probes: [], error: null, recorded: true })
  })
})
