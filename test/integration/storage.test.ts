import { describe, expect, it } from 'vitest'
import { storageGatherer } from '../../agent/gatherers/storage/gather-storage.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { RecordingHost } from '../../agent/host/recording-host.js'
import { SnapshotHost } from '../../agent/host/snapshot-host.js'
import { parseSnapshot, snapshotSchemaId, type Snapshot } from '../../agent/snapshot.js'
import { defaultScanConfig } from '../../agent/scan-config.js'
import { evaluateRules } from '../../rules/evaluate.js'
import { storageFactsSchema } from '../../rules/facts/storage.js'
import { loadStorageRules } from '../unit/agent/gatherers/storage/storage-snapshot.js'

/**
 * The real storage gatherer on this machine, through LocalHost: whatever the machine has,
 * the facts must match their schema and every storage rule must come out pass, fail, error
 * or na with a reason. CI installs smartmontools (.ci/run), so there smartctl must answer.
 */
const host = new LocalHost()
const now = new Date()
const rules = loadStorageRules()
const smartctl = await host.run(['smartctl', '--version'], { timeoutMs: 5_000 })
const hasSmartctl = !('error' in smartctl)
if (!hasSmartctl && !process.env.CI) console.warn('storage integration: smartctl is not installed here; expecting the "not installed" error (CI installs smartmontools)')

describe('storage gatherer on this machine', () => {
  it('gathers well-formed facts, and every storage rule gives a status with a reason', async () => {
    const { facts, errors } = await storageGatherer.gather({ host, now, config: defaultScanConfig })
    const storage = storageFactsSchema.parse(facts.storage)
    for (const [path, reason] of Object.entries(errors)) {
      expect(path).toMatch(/^storage\.(md|zfs|btrfs|smart|hwraid|filesystems|inodes)$/)
      expect(reason.length).toBeGreaterThan(5)
    }

    const findings = evaluateRules(rules, { facts, factErrors: errors, now })
    expect(new Set(findings.map((f) => f.rule))).toEqual(new Set(rules.map((r) => r.spec.id)))
    for (const f of findings) {
      expect(['pass', 'fail', 'error', 'na'], `${f.rule} ${f.target}`).toContain(f.status)
      if (f.status !== 'pass') expect(f.message, `${f.rule} ${f.target}: ${f.status} needs a reason`).toMatch(/\w{3}/)
      expect(f.message, `${f.rule} ${f.target}`).not.toMatch(/<[^>]*: /) // a template placeholder that failed to render
    }

    // Filesystems exist everywhere: the root filesystem gets a real verdict.
    expect(errors['storage.filesystems']).toBeUndefined()
    expect(storage.filesystems?.some((f) => f.mountPoint === '/')).toBe(true)
    const rootSpace = findings.find((f) => f.rule === 'storage.fs.space' && f.target === '/')
    expect(['pass', 'fail']).toContain(rootSpace?.status)

    // md: an array-less machine is na with the reason, never a pass.
    if (storage.md && storage.md.arrays.length === 0) {
      const md = findings.filter((f) => f.rule === 'storage.md.healthy')
      expect(md).toEqual([expect.objectContaining({ status: 'na', message: expect.stringContaining(`No software RAID array to check: ${storage.md.absence}`) })])
    }

    // SMART: with smartctl the scan answers (na on a VM, or real disks); without it, an error naming it.
    if (hasSmartctl) {
      expect(errors['storage.smart']).toBeUndefined()
      expect(storage.smart).toBeDefined()
    } else {
      expect(process.env.CI, 'CI installs smartmontools; smartctl must be there').toBeFalsy()
      expect(errors['storage.smart']).toMatch(/^smartctl is not installed/)
      expect(findings.filter((f) => f.rule === 'storage.smart.healthy').every((f) => f.status === 'error')).toBe(true)
    }
  })

  it('a recording of this machine replays to the same facts', async () => {
    const recorder = new RecordingHost(host)
    const live = await storageGatherer.gather({ host: recorder, now, config: defaultScanConfig })
    const snapshot: Snapshot = {
      schema: snapshotSchemaId,
      postureVersion: '0.0.0-test',
      host: { description: host.description },
      gatheredAt: now.toISOString(),
      domains: ['storage'],
      ...recorder.recorded(),
    }
    expect(Object.keys(snapshot.files)).toContain('/proc/mounts')
    expect(Object.keys(snapshot.commands)).toContain('df -P -T -B1 -l')
    const replayed = await storageGatherer.gather({ host: new SnapshotHost(parseSnapshot(JSON.stringify(snapshot), 'replay'), 'replay'), now, config: defaultScanConfig })
    expect(replayed).toEqual(live)
  })
})
